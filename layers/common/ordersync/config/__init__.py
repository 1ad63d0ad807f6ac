"""Merchants' configuration: channels, their credentials, and integrations."""
