"""What a merchant does to a failed order, one by one or in bulk: retry, resend, ignore, unignore,
mark as synced; who may, and the history of who did."""
