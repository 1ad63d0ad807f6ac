"""The merchant console: server-rendered pages (Jinja2, autoescaped) on the domain's own
functions (lists, an order's story, actions, exports, users), a session in a cookie that holds
the user's Cognito id token, and CSRF tokens bound to that session. The top room: it may use
every room below it and nothing imports it but its function."""
