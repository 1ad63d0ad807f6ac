"""The pages an email's links open, one resolver: /resolve/{token} and /unsubscribe/{token},
GET to look, POST to act. Whatever goes wrong, the answer is a page, never a stack trace.

The unsubscribe page comes with its first request: most cold starts open a resolve link, and
need neither its module nor the notification and report stores behind it (about 3 ms CPU)."""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from ordersync.web import resolve
from ordersync.web.pages import refused

logger = Logger(child=True)
app = APIGatewayHttpResolver()


def _secure() -> bool:
    # API Gateway sets it (https); the local front door does not, and its cookies go over http.
    return app.current_event.headers.get("x-forwarded-proto", "http") == "https"


def _body() -> str:
    return app.current_event.decoded_body or ""


@app.get("/resolve/<token>")
def show_alert(token: str) -> Response[str]:
    return resolve.show(token, _secure())


@app.post("/resolve/<token>")
def act_on_alert(token: str) -> Response[str]:
    return resolve.act(token, _body(), list(app.current_event.cookies or []), _secure())


@app.get("/unsubscribe/<token>")
def show_unsubscribe(token: str) -> Response[str]:
    from ordersync.web import unsubscribe

    return unsubscribe.show(token)


@app.post("/unsubscribe/<token>")
def unsubscribe_now(token: str) -> Response[str]:
    from ordersync.web import unsubscribe

    return unsubscribe.act(token)


@app.not_found
def _not_found(_: Any) -> Response[str]:
    return refused(404, "There is no page here.")


@app.exception_handler(Exception)
def _failed(error: Exception) -> Response[str]:
    logger.exception("page failed")
    return refused(500, "Something went wrong on our side. Try the link again in a minute.")
