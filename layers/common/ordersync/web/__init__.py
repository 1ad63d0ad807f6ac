"""Pages people open from an email, server-rendered (Jinja2, autoescaped, no JavaScript): the
resolve page and the unsubscribe page."""
