"""What a merchant may ask of a list (alerts or history): every filter, `columns`, `limit` and an
opaque `cursor`, validated as one pydantic model that reports every problem at once. The
merchant is never a filter: it comes from the token and is a parameter of every list function.

The history room is the lower of the two that list, so the shared model lives here and
`ordersync.alerts.query` extends it."""

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ordersync.core.models import STRICT_INPUT, Level, ResponseType

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class ListStatus(StrEnum):
    """`status=`: the alert's own state and the operation statuses a record can show.

    How each maps onto what a record holds (an alert is open or resolved; its outcome's level
    and code say more; a history record has only the outcome):
    open, resolved: the alert's status (alerts only) · ignored: the alert is ignored (alerts
    only) · synced: level success or warning (as an operation's status is set) · failed: level
    error · pending, pending_verification: level pending (accepted, confirmation awaited) ·
    queued: code Queued (not run in time) · blocked: code Order Not Yet Created (waits for its
    order's creation) · manually_synced: code Marked Synced (a person keyed it in by hand; it
    is synced too). `skipped` is not recorded on alerts or history yet, so it is refused rather
    than answered wrongly."""

    OPEN = "open"
    RESOLVED = "resolved"
    IGNORED = "ignored"
    SYNCED = "synced"
    FAILED = "failed"
    PENDING = "pending"
    PENDING_VERIFICATION = "pending_verification"
    QUEUED = "queued"
    BLOCKED = "blocked"
    MANUALLY_SYNCED = "manually_synced"


# What each status means for the record's outcome: one level, or one code (None: neither).
STATUS_LEVEL = {
    ListStatus.FAILED: Level.ERROR,
    ListStatus.PENDING: Level.PENDING,
    ListStatus.PENDING_VERIFICATION: Level.PENDING,
}
STATUS_LEVELS = {ListStatus.SYNCED: (Level.SUCCESS, Level.WARNING)}
STATUS_CODE = {
    ListStatus.QUEUED: "Queued",
    ListStatus.BLOCKED: "Order Not Yet Created",
    ListStatus.MANUALLY_SYNCED: "Marked Synced",
}


class InvalidQuery(ValueError):
    """A list query the client must fix: every problem, shaped as pydantic's errors (`loc`,
    `msg`, `type`), so the route answers 422 with all of them. A cursor that is not one this
    merchant was given for this query is one too (field `cursor`)."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the query")
        self.problems = problems


def problem(field: str, message: str, kind: str = "value_error") -> dict[str, Any]:
    return {"loc": ("query", field), "msg": message, "type": kind}


def validated[M: BaseModel](
    model: type[M], params: Mapping[str, Any]
) -> tuple[M | None, list[dict[str, Any]]]:
    """`params` (a query string's) as `model`, or None and every problem, each located in the
    query (`("query", field)`)."""
    try:
        return model.model_validate(params), []
    except ValidationError as error:
        return None, [
            {"loc": ("query", *map(str, e["loc"])), "msg": e["msg"], "type": e["type"]}
            for e in error.errors(include_url=False, include_context=False)
        ]


def digits_only(cls: type, value: Any) -> Any:
    """A count in a query string is digits (pydantic would also read "1.0")."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError("int_parsing", "a whole number, in digits")
    return value


class ListQuery(BaseModel):
    """The filters both lists share; each may be used alone or with any others."""

    model_config = STRICT_INPUT
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    ONLY_FOR_ALERTS: ClassVar[tuple[str, ...]] = ()

    level: Level | None = None
    type: ResponseType | None = None
    code: str | None = Field(default=None, min_length=1, max_length=100)
    status: ListStatus | None = None
    integration: str | None = Field(default=None, min_length=1, max_length=200)
    identifier: str | None = Field(default=None, min_length=1, max_length=200)
    message: str | None = Field(default=None, min_length=2, max_length=200)
    http_code: int | None = Field(default=None, ge=100, le=599)
    feed_id: str | None = Field(default=None, min_length=1, max_length=200)
    system_code: str | None = Field(default=None, min_length=1, max_length=200)
    system_call: str | None = Field(default=None, min_length=1, max_length=200)
    system_identifier: str | None = Field(default=None, min_length=1, max_length=200)
    ordersync_id: str | None = Field(default=None, min_length=1, max_length=100)
    integration_id: str | None = Field(default=None, min_length=1, max_length=200)
    ignored: bool | None = Field(
        default=None,
        description="Alerts only. true: only ignored alerts; false: none of them. Unset, the "
        "alert list leaves ignored alerts out (as status=ignored lists them).",
    )
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    columns: tuple[str, ...] | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, min_length=1, max_length=4096)

    @field_validator(
        "created_after", "created_before", "updated_after", "updated_before", mode="before"
    )
    @classmethod
    def _iso_only(cls, value: Any) -> Any:
        """A moment is ISO 8601 text (pydantic would also read 0.5 as seconds since 1970)."""
        if isinstance(value, str) and not ISO_DATE.match(value):
            raise PydanticCustomError(
                "datetime_parsing", "an ISO 8601 moment, such as 2026-11-29T08:00:00Z"
            )
        return value

    _digits = field_validator("limit", "http_code", mode="before")(digits_only)

    @field_validator("created_after", "created_before", "updated_after", "updated_before")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        """A moment without a zone is UTC (as every stored moment is)."""
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)

    @field_validator("columns", mode="before")
    @classmethod
    def _split_columns(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        unknown = [name for name in value if name not in cls.COLUMNS]
        if unknown:
            raise ValueError(f"unknown column(s) {', '.join(unknown)}; known: {cls.COLUMNS}")
        if not value:
            raise ValueError("name at least one column")
        return value

    @classmethod
    def parse(cls, params: Mapping[str, Any] | None) -> Self:
        """The query from a request's query-string parameters; InvalidQuery lists every
        problem at once (unknown filters, bad values, and ranges that end before they start)."""
        params = dict(params or {})
        query, problems = validated(cls, params)
        problems += cls._range_problems(params) + cls._scope_problems(params)
        if problems or query is None:
            raise InvalidQuery(problems)
        return query

    @classmethod
    def _range_problems(cls, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Each range whose two ends parse but are in the wrong order (checked on the raw
        values, so these are listed beside any other problem)."""
        found = []
        for kind in ("created", "updated"):
            after, before = (_moment(params.get(f"{kind}{end}")) for end in ("After", "Before"))
            if after is not None and before is not None and before <= after:
                found.append(problem(f"{kind}Before", f"must be later than {kind}After"))
        return found

    @classmethod
    def _scope_problems(cls, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Filters this list cannot answer (a history record is never open or ignored), from
        the raw values, so they are listed beside any other problem."""
        return []

    # ------------------------------------------------------------------ derived bounds
    def ignored_filter(self) -> bool | None:
        """Whether the rows must be ignored (True), not ignored (False), or either (None)."""
        return self.ignored

    def created_range(self) -> tuple[datetime | None, datetime | None]:
        return self.created_after, self.created_before

    def updated_range(self) -> tuple[datetime | None, datetime | None]:
        return self.updated_after, self.updated_before

    def fingerprint(self) -> dict[str, Any]:
        """What the query asks, without the paging: a cursor is bound to it."""
        return self.model_dump(
            mode="json", by_alias=True, exclude={"cursor", "limit", "columns"}, exclude_none=True
        )


def _moment(raw: Any) -> datetime | None:
    """`raw` as a moment in UTC, or None when absent or not a moment."""
    if raw is None or raw == "":
        return None
    try:
        moment = _MOMENT.validate_python(raw)
    except ValidationError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_MOMENT = TypeAdapter(datetime)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def last_moment_before(moment: datetime) -> datetime:
    """The latest stored moment (milliseconds) strictly before `moment`."""
    return moment - timedelta(milliseconds=1)
