"""The error catalog: every code ordersync gives, with level, type, retry class and action."""

import json
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ordersync.core.models import Level, Outcome, ResponseType, RetryClass


class CatalogEntry(BaseModel):
    model_config = ConfigDict(
        defer_build=True, alias_generator=to_camel, populate_by_name=True, frozen=True
    )

    code: str
    level: Level
    type: ResponseType
    retry_class: RetryClass
    description: str
    action: str
    message: str
    seeds: tuple[str, ...] = ()  # which reference situations this code covers (seeds/README.md)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


@cache
def catalog() -> dict[str, CatalogEntry]:
    raw = json.loads(
        resources.files("ordersync.catalog").joinpath("catalog.json").read_text("utf-8")
    )
    return {code: CatalogEntry(code=code, **entry) for code, entry in raw.items()}


def outcome(code: str, /, **facts: Any) -> Outcome:
    """An Outcome for `code`, its message filled from `facts` (a missing fact reads '?')."""
    entry = catalog()[code]
    return Outcome(
        code=code,
        level=entry.level,
        type=entry.type,
        retry_class=entry.retry_class,
        business_message=entry.message.format_map(_Blank(facts)),
        action=entry.action,
        http_code=facts.get("http_code"),
        system_code=facts.get("system_code"),
        system_call=facts.get("system_call"),
        system_identifier=facts.get("system_identifier"),
        retry_after_seconds=facts.get("retry_after_seconds"),
    )
