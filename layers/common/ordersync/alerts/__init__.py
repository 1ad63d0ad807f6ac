"""Alerts: one per merchant and entity, opened, updated and resolved by one policy."""
