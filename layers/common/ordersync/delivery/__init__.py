"""Delivery: one attempt of an operation to the merchant's platform, from mapping to the answer."""
