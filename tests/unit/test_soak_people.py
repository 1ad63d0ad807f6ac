"""The soak's last phase, as arithmetic: where each blocked follow-up went after a person acted."""

from tools.soak_people import followups_after, people_passed, split


def op(order_id, operation, status):
    return {"orderId": order_id, "operation": operation, "status": status}


def test_rejected_orders_are_split_alternately_and_stably():
    assert split(["B", "A", "D", "C"]) == ({"A", "C"}, {"B", "D"})


def test_each_blocked_follow_up_is_run_released_or_left():
    people = {"to_retry": {"A"}, "to_ignore": {"B"}}
    before = {
        "a-create": op("A", "create", "failed"),
        "a-invoice": op("A", "invoice", "blocked"),
        "b-create": op("B", "create", "failed"),
        "b-invoice": op("B", "invoice", "blocked"),
        "b-refund": op("B", "refund", "blocked"),
    }
    after = {
        "a-create": op("A", "create", "synced"),
        "a-invoice": op("A", "invoice", "synced"),
        "b-create": op("B", "create", "ignored"),
        "b-invoice": op("B", "invoice", "ignored"),
        "b-refund": op("B", "refund", "blocked"),
    }

    counts = followups_after(before, after, people)

    assert counts == {
        "blocked_then_run": 1,
        "blocked_then_released": 1,
        "blocked_left": 1,
        "still_blocked": 1,
        "retried_not_synced": 0,
    }
    verdict = {
        **counts,
        "rejected_orders": 2,
        "retried": 1,
        "ignored": 1,
        "not_done": 0,
        "lost_after": 0,
        "duplicated_after": 0,
        "identity_after": {},
    }
    assert not people_passed(verdict), "a follow-up left blocked fails the soak"
    assert people_passed(verdict | {"blocked_left": 0, "still_blocked": 0})
