"""A list query's filters as terms: each is written once and rendered two ways, as a DynamoDB
filter expression (applied to what an index reads) and as a predicate (applied to items fetched
by key, when the index that answers projects only keys). The planner takes the terms its index
key already answers out of the list."""

from dataclasses import dataclass
from typing import Any, Literal

from ordersync.core.clock import iso
from ordersync.core.dynamo import to_item
from ordersync.history.query import (
    STATUS_CODE,
    STATUS_LEVEL,
    STATUS_LEVELS,
    ListQuery,
    ListStatus,
    last_moment_before,
)

Op = Literal["eq", "in", "contains", "ge", "le"]


@dataclass(frozen=True)
class Term:
    """`attributes` (any one of them, for eq and contains) compared with `values`."""

    attributes: tuple[str, ...]
    op: Op
    values: tuple[Any, ...]

    def render(self, n: int) -> tuple[str, dict[str, str], dict[str, Any]]:
        """(expression, names, values) with placeholders numbered from `n`."""
        names = {f"#t{n}_{i}": name for i, name in enumerate(self.attributes)}
        values = {f":t{n}_{i}": value for i, value in enumerate(self.values)}
        value_list = list(values)
        parts: list[str] = []
        for alias in names:
            if self.op == "eq":
                parts.append(f"{alias} = {value_list[0]}")
            elif self.op == "in":
                parts.append(f"{alias} IN ({', '.join(value_list)})")
            elif self.op == "contains":
                parts += [f"contains({alias}, {value})" for value in value_list]
            else:
                parts.append(f"{alias} {'>=' if self.op == 'ge' else '<='} {value_list[0]}")
        text = parts[0] if len(parts) == 1 else f"({' OR '.join(parts)})"
        return text, names, values

    def matches(self, item: dict[str, Any]) -> bool:
        for name in self.attributes:
            found = item.get(name)
            if found is None:
                continue
            if self.op == "eq" and found == self.values[0]:
                return True
            if self.op == "in" and found in self.values:
                return True
            if self.op == "contains" and any(str(v) in str(found) for v in self.values):
                return True
            if self.op == "ge" and str(found) >= str(self.values[0]):
                return True
            if self.op == "le" and str(found) <= str(self.values[0]):
                return True
        return False


def eq(attribute: str, value: Any) -> Term:
    return Term((attribute,), "eq", (value,))


def keyword_variants(keyword: str) -> tuple[str, ...]:
    """DynamoDB's contains() is case-sensitive: the keyword as typed, in lower case and
    capitalised (a message's words are written in one of these)."""
    return tuple(dict.fromkeys((keyword, keyword.lower(), keyword.capitalize())))


def status_terms(status: ListStatus) -> list[Term]:
    if status in (ListStatus.OPEN, ListStatus.RESOLVED):
        return [eq("status", status.value)]
    if status is ListStatus.IGNORED:
        return [eq("ignored", True)]
    if status in STATUS_LEVEL:
        return [eq("level", STATUS_LEVEL[status].value)]
    if status in STATUS_LEVELS:
        return [Term(("level",), "in", tuple(level.value for level in STATUS_LEVELS[status]))]
    return [eq("code", STATUS_CODE[status])]


def query_terms(query: ListQuery) -> list[Term]:
    """Every filter of `query` as terms (the planner removes those its key answers)."""
    terms: list[Term] = []
    plain = {
        "level": query.level.value if query.level else None,
        "type": query.type.value if query.type else None,
        "code": query.code,
        "integrationId": query.integration_id,
        "identifier": query.identifier,
        "httpCode": query.http_code,
        "feedId": query.feed_id,
        "systemCode": query.system_code,
        "systemCall": query.system_call,
        "systemIdentifier": query.system_identifier,
        "operationId": query.ordersync_id,
        "ignored": query.ignored_filter(),
    }
    terms += [eq(name, value) for name, value in plain.items() if value is not None]
    if query.status is not None:
        terms += status_terms(query.status)
    if query.integration is not None:  # either end of the integration: destination or channel
        terms.append(Term(("integrationId", "channelId"), "eq", (query.integration,)))
    if query.message is not None:
        terms.append(Term(("businessMessage",), "contains", keyword_variants(query.message)))
    for attribute, (after, before) in (
        ("createdAt", query.created_range()),
        ("updatedAt", query.updated_range()),
    ):
        if after is not None:
            terms.append(Term((attribute,), "ge", (iso(after),)))
        if before is not None:
            terms.append(Term((attribute,), "le", (iso(last_moment_before(before)),)))
    return terms


def filter_expression(terms: list[Term]) -> dict[str, Any]:
    """The FilterExpression and its names and values for a Query (empty when no terms)."""
    if not terms:
        return {}
    texts, names, values = [], {}, {}
    for n, term in enumerate(terms):
        text, more_names, more_values = term.render(n)
        texts.append(text)
        names.update(more_names)
        values.update(more_values)
    return {
        "FilterExpression": " AND ".join(texts),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
    }
