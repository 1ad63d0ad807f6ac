"""The history log: every response, append-only, with what was sent and what came back."""
