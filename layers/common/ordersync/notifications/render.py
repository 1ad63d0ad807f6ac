"""Emails as MIME: HTML and plain text from Jinja2 templates (HTML autoescaped), and the
headers every alert email carries (one-click unsubscribe, RFC 8058)."""

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from functools import cache
from typing import TYPE_CHECKING, Any

from ordersync.core.settings import get_settings

if TYPE_CHECKING:
    import jinja2


class HeaderRefused(ValueError):
    """A name or subject that would break out of its header (CR, LF or another control)."""


@cache
def _templates() -> "jinja2.Environment":
    # Imported by the first email an environment composes, not at cold start (about 20 ms CPU):
    # the notifier's, the digests' and the report's invocations that send nothing never pay it.
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("ordersync.notifications"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _header(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise HeaderRefused(f"control characters in an email header: {value!r}")
    return value


def compose(
    template: str,
    *,
    subject: str,
    to_name: str,
    to_email: str,
    unsubscribe_url: str,
    **values: Any,
) -> EmailMessage:
    """`template`.txt and `template`.html, rendered with `values`, as one multipart email."""
    # Lines up to SMTP's own limit: a folded (or encoded) link in List-Unsubscribe breaks it.
    message = EmailMessage(policy=SMTP.clone(max_line_length=998))
    message["Subject"] = _header(subject)
    message["From"] = Address("ordersync", addr_spec=get_settings().sender_email)
    local, _, domain = to_email.partition("@")
    message["To"] = Address(_header(to_name), _header(local), _header(domain))
    message["List-Unsubscribe"] = f"<{_header(unsubscribe_url)}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    values = {**values, "unsubscribe_url": unsubscribe_url, "to_email": to_email}
    # Quoted-printable keeps every line 7-bit, whatever relays the message on its way.
    text = _templates().get_template(f"{template}.txt").render(values)
    message.set_content(text, cte="quoted-printable")
    html = _templates().get_template(f"{template}.html").render(values)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message
