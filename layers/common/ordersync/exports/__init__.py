"""Merchant exports: a list (alerts or history) with its filters, written as CSV or XLSX, either
straight into the HTTP answer or, past a threshold, by an export job into S3."""
