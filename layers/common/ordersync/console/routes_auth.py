"""Signing in and out, the console's root, and its static files."""

from aws_lambda_powertools.event_handler import Response

from ordersync.console import session
from ordersync.console.render import page, redirect, static
from ordersync.console.session import NotSignedIn, SignInRefused
from ordersync.console.web import base, cookie_header, first, form, router

SIGN_IN_SECONDS = 900


@router.get("/console")
@router.get("/console/")
def root() -> Response[str]:
    return redirect(f"{base()}/overview")


@router.get("/console/static/<name>")
def asset(name: str) -> Response[str]:
    found = static(name)
    if found is None:
        return page("refused.html", 404, base=base(), title="Not found", reason="No such file.")
    return found


def _sign_in_page(status: int = 200, problem: str = "", email: str = "") -> Response[str]:
    token = session.new_sign_in_token()
    return page(
        "sign_in.html",
        status,
        cookies=[session.cookie(session.SIGN_IN_COOKIE, token, SIGN_IN_SECONDS)],
        base=base(),
        csrf=token,
        problem=problem,
        email=email,
    )


@router.get("/console/sign-in")
def sign_in_page() -> Response[str]:
    return _sign_in_page()


@router.post("/console/sign-in")
def sign_in() -> Response[str]:
    fields = form()
    email, password = first(fields, "email").strip(), first(fields, "password")
    expected = session.cookies(cookie_header()).get(session.SIGN_IN_COOKIE, "")
    missing = [name for name, value in (("email", email), ("password", password)) if not value]
    if not expected or first(fields, "csrf") != expected:
        return _sign_in_page(403, "The sign-in form had expired; please try again.", email)
    if missing:
        return _sign_in_page(422, f"Enter your {' and '.join(missing)}.", email)
    try:
        token = session.sign_in(email, password)
    except SignInRefused as refused:
        return _sign_in_page(401, f"Not signed in: {refused}.", email)
    return redirect(
        f"{base()}/overview",
        cookies=[
            session.cookie(session.SESSION_COOKIE, token, session.SESSION_SECONDS),
            session.cookie(session.SIGN_IN_COOKIE, "", 0),
        ],
    )


@router.post("/console/sign-out")
def sign_out() -> Response[str]:
    """Ends the session in this browser: the cookie goes, and with it every CSRF token."""
    try:
        current = session.current(cookie_header())
        session.check_csrf(current.csrf, {"csrf": first(form(), "csrf")})
    except NotSignedIn:
        pass  # nothing to end; the cookie is cleared all the same
    return redirect(f"{base()}/sign-in", cookies=[session.cookie(session.SESSION_COOKIE, "", 0)])
