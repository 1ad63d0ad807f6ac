"""Operations: intake, dispatch, outcomes, the sweeper, verification and tracking, and their
records: the operation item (its one status writer), run leases and the watch index."""
