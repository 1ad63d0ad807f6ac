"""The daily order-sync report: each merchant's settings (send time and zone, scope,
recipients), the orders of the last 24 hours with their sync status, and the email with its
CSV file, sent once a day at the merchant's local time."""
