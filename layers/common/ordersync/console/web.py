"""What every console route needs from its request: the session, the form, the console's own
base path (under a named API stage the path starts with the stage), links built from it."""

from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ordersync.console import session
from ordersync.console.session import Session

router = APIGatewayHttpRouter()


def base() -> str:
    """The console's root as the browser sees it ("/console", or "/dev/console" on a stage)."""
    raw = router.current_event.raw_path or "/console"
    found = raw.find("/console")
    return raw[: found + len("/console")] if found >= 0 else "/console"


def cookie_header() -> str:
    """The request's cookies: payload 2.0 hands them over as a list, not as a Cookie header."""
    return "; ".join(router.current_event.cookies or [])


def current_session() -> Session:
    return session.current(cookie_header())


def form() -> dict[str, list[str]]:
    """A posted form (application/x-www-form-urlencoded), every field's values."""
    body = router.current_event.decoded_body or ""
    return parse_qs(body, keep_blank_values=True, max_num_fields=2000)


def first(fields: dict[str, list[str]], name: str, default: str = "") -> str:
    values = fields.get(name) or [default]
    return values[0]


def checked_form(current: Session) -> dict[str, list[str]]:
    """The posted form, refused unless it carries this session's CSRF token."""
    fields = form()
    session.check_csrf(current.csrf, {"csrf": first(fields, "csrf")})
    return fields


def query() -> dict[str, str]:
    return dict(router.current_event.query_string_parameters or {})


def common(current: Session, active: str, **values: Any) -> dict[str, Any]:
    """What the layout needs on every page."""
    return {"base": base(), "me": current.me, "csrf": current.csrf, "active": active, **values}
