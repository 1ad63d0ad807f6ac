"""Pages and the headers every console answer carries.

Jinja2 as `ordersync.web.pages.templates` sets it up: autoescape on (everything a merchant sees
came from a channel or a platform at some point: an order note, a platform's error message;
escaped, it can only ever be text) and StrictUndefined (a template that names a missing value
fails its test instead of rendering a blank). Static assets are files of this package, served
by the console itself."""

from importlib import resources
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.shared.cookies import Cookie

from ordersync.web.pages import templates

# No inline script or style, nothing from another origin: a value that slipped past escaping
# could not run. SVG charts are markup in the page, not images, so they need nothing here.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def page(
    name: str,
    status: int = 200,
    cookies: list[Cookie] | None = None,
    **values: Any,
) -> Response[str]:
    body = templates("ordersync.console").get_template(name).render(**values)
    return Response(
        status,
        "text/html; charset=utf-8",
        body,
        headers=dict(HEADERS),
        cookies=cookies or [],
    )


def redirect(location: str, cookies: list[Cookie] | None = None) -> Response[str]:
    """303: after a form, the browser GETs the next page (a reload does not post again)."""
    return Response(
        303,
        content_types.TEXT_HTML,
        "",
        headers={**HEADERS, "Location": location},
        cookies=cookies or [],
    )


def static(name: str) -> Response[str] | None:
    """A file of the package's static folder, or None (a 404) for anything else."""
    suffix = name[name.rfind(".") :] if "." in name else ""
    if "/" in name or name.startswith(".") or suffix not in STATIC_TYPES:
        return None
    asset = resources.files("ordersync.console").joinpath("static", name)
    if not asset.is_file():
        return None
    headers = {**HEADERS, "Cache-Control": "public, max-age=3600"}
    return Response(200, STATIC_TYPES[suffix], asset.read_text("utf-8"), headers=headers)
