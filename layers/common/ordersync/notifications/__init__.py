"""Telling merchants: alert emails with resolve links, digests that bound how many, the links'
tokens, and who is told (the merchant's contacts and opted-in users)."""
