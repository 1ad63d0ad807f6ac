"""The local stack: template.yaml on embedded AWS (moto) on 127.0.0.1; no account, no Docker."""
