"""Callbacks: telling the merchant's platform, signed, how each operation ended."""
