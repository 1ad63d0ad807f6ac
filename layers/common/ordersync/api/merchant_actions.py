"""Merchant routes that act on alerts: one at a time, by ids, or by filter as a job.

The merchant and the user come from the token only; a body names the action and the alerts,
never who acts or for which merchant (unknown fields are refused, not read).

The routes import the actions' machinery (the service, the bulk runner, the jobs, with the
order lifecycle and payload models behind them) with their first request: the function serves
every merchant route, and its most common first request is a list, which needs none of it."""

from typing import Annotated, Any, Self

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

from ordersync.actions.models import MAX_IDS, Action, BulkAnswer, BulkJob, Done
from ordersync.api.merchant_identity import calling_user
from ordersync.merchants.service import current_user

router = APIGatewayHttpRouter()

MERCHANT: list[dict[str, list[str]]] = [{"merchant": []}]
# An alert id is the entity key, base64url without padding (ordersync.alerts.ids).
ALERT_ID = r"^[A-Za-z0-9_-]{1,1024}$"
AlertId = Annotated[str, Path(pattern=ALERT_ID, description="An alert's alertId, from a list.")]
BulkAlertId = Annotated[str, StringConstraints(pattern=ALERT_ID)]
JobId = Annotated[str, Path(min_length=1, max_length=64)]
REFUSALS: dict[int, OpenAPIResponse] = {
    200: {"description": "done: where the alert and its operation are now"},
    403: {"description": "the user may not act on orders (a viewer, or not granted orderSync)"},
    404: {"description": "no alert of the caller's merchant has this id"},
    409: {"description": "the action does not apply to the alert as it is now (the reason)"},
}
JOB_STARTED: dict[int, OpenAPIResponse] = {
    202: {"description": "a filter: the job is queued; follow it at /v1/alerts/bulk/{jobId}"},
    200: {"description": "ids: every alert's result"},
    403: REFUSALS[403],
}


def _one_of_two(schema: dict[str, Any]) -> None:
    """The document says what the validator below does: ids or filter (neither null), and no
    bulk resend."""
    for name in ("ids", "filter"):
        field = schema["properties"][name]
        field.update(next(s for s in field.pop("anyOf") if s.get("type") != "null"))
        field.pop("default", None)
    schema["oneOf"] = [{"required": ["ids"]}, {"required": ["filter"]}]
    schema["not"] = {"required": ["action"], "properties": {"action": {"const": "resend"}}}


class BulkRequest(BaseModel):
    """One action on the alerts named by `ids` (at most 1,000), answered at once, or on every
    alert `filter` matches (the alert list's filters), run as a job."""

    model_config = ConfigDict(
        defer_build=True,
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        # What the validator below says, in the document: ids or filter, and no bulk resend.
        json_schema_extra=lambda schema: _one_of_two(schema),
    )

    action: Action
    ids: list[BulkAlertId] | None = Field(default=None, min_length=1, max_length=MAX_IDS)
    filter: dict[str, Any] | None = Field(
        default=None, description="The filters of GET /v1/alerts (not cursor, limit, columns)."
    )

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if (self.ids is None) == (self.filter is None):
            raise ValueError("name the alerts either by ids or by filter (one of the two)")
        if self.action is Action.RESEND:
            raise ValueError("resend takes a corrected body per alert: send each on its own")
        return self


def _act(action: Action, alert_id: str) -> Done:
    from ordersync.actions import service

    return service.act(calling_user(router), action, alert_id)


@router.post("/v1/alerts/<alertId>/retry", security=MERCHANT, responses=REFUSALS)
def retry_alert(alertId: AlertId) -> Done:  # named as in the contract
    """Run the alert's operation again, as it is, through the operations queue."""
    return _act(Action.RETRY, alertId)


@router.post("/v1/alerts/<alertId>/ignore", security=MERCHANT, responses=REFUSALS)
def ignore_alert(alertId: AlertId) -> Done:
    """Hide the alert from the default view; a waiting operation rests until taken back."""
    return _act(Action.IGNORE, alertId)


@router.post("/v1/alerts/<alertId>/unignore", security=MERCHANT, responses=REFUSALS)
def unignore_alert(alertId: AlertId) -> Done:
    """Show an ignored alert again; its operation waits for a person again."""
    return _act(Action.UNIGNORE, alertId)


@router.post("/v1/alerts/<alertId>/mark-synced", security=MERCHANT, responses=REFUSALS)
def mark_alert_synced(alertId: AlertId) -> Done:
    """The order was keyed into the platform by hand: close the operation, resolve the alert."""
    return _act(Action.MARK_SYNCED, alertId)


@router.post("/v1/alerts/<alertId>/resend", security=MERCHANT, responses=REFUSALS)
def resend_alert(
    alertId: AlertId,
    correction: Annotated[
        dict[str, Any],
        Body(description="The operation's corrected body, as its channel sends it."),
    ],
) -> Done:
    """Run the alert's operation again with a corrected body, held to the channel's rules."""
    from ordersync.actions import service

    return service.resend(calling_user(router), alertId, correction)


@router.post("/v1/alerts/bulk", security=MERCHANT, responses=JOB_STARTED)
def bulk_action(request: BulkRequest) -> Response[BulkAnswer | BulkJob]:
    """By ids: every alert's result at once (200). By filter: the job (202)."""
    from ordersync.actions import bulk, jobs

    caller = calling_user(router)
    if request.ids is not None:
        answer = bulk.by_ids(caller, request.action, request.ids)
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=answer)
    job = jobs.start(caller, request.action, request.filter or {})
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=job)


@router.get(
    "/v1/alerts/bulk/<jobId>",
    security=MERCHANT,
    responses={200: {"description": "the job's progress"}, 404: REFUSALS[404]},
)
def bulk_job(jobId: JobId) -> BulkJob:
    """How far a bulk job by filter got: matched, done, refused, not found; finished or not."""
    from ordersync.actions import jobs

    user = current_user(calling_user(router))  # a token without a user record reads nothing
    return jobs.JobStore().get(user.merchant_id, jobId)
