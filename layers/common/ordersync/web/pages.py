"""Rendering a page: the Jinja2 environment (autoescaped, strict), and the headers every page
carries (a Content-Security-Policy that allows no script at all, no caching, no referrer: the
URL holds the link's token)."""

import json
import secrets
from functools import cache
from typing import Any

import jinja2
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.shared.cookies import Cookie


def pretty(content: str | None) -> str:
    """A stored content as people read it on a page: JSON indented, anything else as it came."""
    if not content:
        return ""
    try:
        return json.dumps(json.loads(content), indent=2, ensure_ascii=False)
    except ValueError:
        return content


@cache
def templates(package: str) -> jinja2.Environment:
    """A package's templates folder, as every page of ordersync renders: autoescaped, and an
    undefined name is an error rather than an empty string."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page(
    name: str, status: int = 200, *, cookies: list[Cookie] | None = None, **values: Any
) -> Response[str]:
    nonce = secrets.token_urlsafe(16)  # the one inline stylesheet; no script is allowed
    body = templates("ordersync.web").get_template(name).render(style_nonce=nonce, **values)
    return Response(
        status_code=status,
        content_type=f"{content_types.TEXT_HTML}; charset=utf-8",
        body=body,
        cookies=cookies,
        headers={
            "Content-Security-Policy": (
                f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self'; "
                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
            ),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


def refused(status: int, reason: str) -> Response[str]:
    """A link that opens nothing: says so plainly, shows nothing of any alert."""
    return page("refused.html", status, reason=reason)
