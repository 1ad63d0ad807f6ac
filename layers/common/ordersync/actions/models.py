"""Who acts on an alert, the actions, and what each answered (one, many by id, a job by
filter). The answers live here, not beside the machinery that makes them, because the merchant
API's routes name them in their signatures: the routes import this, and the machinery with their
first request."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from ordersync.core.models import Record


class Action(StrEnum):
    """What a person may do to an alert's operation (the route's last segment)."""

    RETRY = "retry"
    RESEND = "resend"
    IGNORE = "ignore"
    UNIGNORE = "unignore"
    MARK_SYNCED = "mark-synced"


@dataclass(frozen=True)
class Actor:
    """Who acts, already allowed to: the merchant whose alerts they act on, and the name the
    history records (a user's email, or "resolve link of <contact email>")."""

    merchant_id: str
    name: str
    user_id: str | None = None

    @classmethod
    def resolve_link(cls, merchant_id: str, contact_email: str) -> "Actor":
        """The holder of an emailed resolve link: the link's signature is the permission."""
        return cls(merchant_id=merchant_id, name=f"resolve link of {contact_email}")


class ActionRefused(Exception):
    """The action does not apply to the alert as it is now (409); the message says why."""


class InvalidPayload(ValueError):
    """A resend's body the client must fix: every problem, shaped as pydantic's errors."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the body")
        self.problems = problems


class UnknownJob(LookupError):
    """No bulk job of this merchant has this id (404). Here, not in `actions.jobs`, so that the
    resolvers that map it to a 404 need not import the job machinery to do so."""


class Done(Record):
    """An action that took effect: the alert and its operation as they are now."""

    alert_id: str
    action: Action
    alert_status: str
    ignored: bool
    operation_id: str
    operation_status: str
    by: str
    at: datetime


Outcome = Literal["done", "refused", "not_found"]


class ItemResult(Record):
    """One alert of a bulk request: done, refused (and why), or not found. The reason is the
    alert's state ("status"); the API refuses a user without the permission the whole request
    (403), the console answers its buttons per row ("permission")."""

    alert_id: str
    result: Outcome
    reason: Literal["status", "permission"] | None = None
    message: str | None = None
    operation_status: str | None = None


# The most alerts one bulk request may name by id (a larger set goes by filter, as a job).
MAX_IDS = 1000


class BulkAnswer(Record):
    action: Action
    done: int
    refused: int
    not_found: int
    results: list[ItemResult]


JobStatus = Literal["running", "finished", "stopped"]


class BulkJob(Record):
    """A bulk action by filter, and how far it got."""

    job_id: str
    merchant_id: str
    action: Action
    filter: dict[str, Any]
    status: JobStatus
    matched: int = 0
    done: int = 0
    refused: int = 0
    not_found: int = 0
    reason: str | None = None  # why a stopped job stopped
    created_by: str
    user_id: str | None = None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
