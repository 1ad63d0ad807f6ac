"""Plans and pages: one keyed Query (never a Scan) on the index a planner chose, its filters as
a filter expression, read until the page is full or the read budget is spent, and an opaque
cursor that only the merchant it was given to can use, and only for the query it came from.

The cursor: base64url JSON of where to go on (DynamoDB's LastEvaluatedKey, and for the
history list the day bucket), with a digest over it, the merchant and the query. No secret is
needed for safety: a cursor is refused unless its digest matches this merchant and this query,
and unless its key lies inside the partition the plan derived from the merchant of the token
(and inside the plan's date range). A forged cursor can therefore only point into the caller's
own partition, where it can read nothing a filter would not give them anyway."""

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ordersync.core import aws
from ordersync.core.dynamo import from_item, to_item
from ordersync.history.filters import Term, filter_expression
from ordersync.history.query import InvalidQuery, problem

# A page stops reading after this many items (index entries) even if it is not full; the
# cursor says where to go on. Keeps a rare filter from reading a whole partition in one call.
READ_BUDGET = 1000


@dataclass(frozen=True)
class Plan:
    """One keyed Query: the index, its partition, its sort-key range, and the filters left."""

    index: str | None  # None: the table itself
    partition: tuple[str, str]  # (attribute, value): always derived from the merchant
    sort_key: str
    low: str | None = None  # inclusive bounds on the sort key
    high: str | None = None
    terms: tuple[Term, ...] = ()
    forward: bool = False  # False: newest first
    keys_only: bool = False  # the index projects keys only: fetch the items, filter here
    table_keys: tuple[str, str] = ("pk", "sk")
    reason: str = ""

    @property
    def key_attributes(self) -> set[str]:
        return {*self.table_keys, self.partition[0], self.sort_key}

    def request(self, table: str) -> dict[str, Any]:
        names = {"#pk": self.partition[0], "#sk": self.sort_key}
        values: dict[str, Any] = {":pk": self.partition[1]}
        condition = "#pk = :pk"
        if self.low is not None and self.high is not None:
            condition += " AND #sk BETWEEN :low AND :high"
            values.update({":low": self.low, ":high": self.high})
        elif self.low is not None:
            condition += " AND #sk >= :low"
            values[":low"] = self.low
        elif self.high is not None:
            condition += " AND #sk <= :high"
            values[":high"] = self.high
        else:
            del names["#sk"]
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": condition,
            "ScanIndexForward": self.forward,
        }
        if self.index is not None:
            request["IndexName"] = self.index
        filters = {} if self.keys_only else filter_expression(list(self.terms))
        request["ExpressionAttributeNames"] = {
            **names,
            **filters.get("ExpressionAttributeNames", {}),
        }
        request["ExpressionAttributeValues"] = {
            **to_item(values),
            **filters.get("ExpressionAttributeValues", {}),
        }
        if "FilterExpression" in filters:
            request["FilterExpression"] = filters["FilterExpression"]
        return request

    def check_start(self, start: dict[str, Any], owns: Callable[[str], bool]) -> bool:
        """Whether a cursor's key can be where this plan's Query goes on: the same key
        attributes, this plan's partition, a table key this merchant `owns`, inside the range."""
        try:
            plain = {name: value["S"] for name, value in start.items()}
        except (KeyError, TypeError, AttributeError):
            return False
        if set(plain) != self.key_attributes or not all(isinstance(v, str) for v in plain.values()):
            return False
        sort = plain[self.sort_key]
        return (
            plain[self.partition[0]] == self.partition[1]
            and owns(plain[self.table_keys[0]])
            and (self.low is None or sort >= self.low)
            and (self.high is None or sort <= self.high)
        )


@dataclass
class Page:
    items: list[dict[str, Any]]  # plain values, newest first (or in the plan's order)
    next_start: dict[str, Any] | None  # LastEvaluatedKey to go on from; None: plan exhausted
    scanned: int = 0  # items read by the Query (ScannedCount): what the page cost
    fetched: int = 0  # items read by key afterwards (keys-only index, or asked-for columns)
    queries: int = 0
    plans: list[str] = field(default_factory=list)


def next_read(plan: Plan, limit: int, page: Page) -> int:
    """How many items the next Query reads. Unfiltered, exactly what the page still lacks.
    Filtered, a page and a fifth first: the default alert list drops ignored alerts, and a
    page must still be one Query when a few of its items are dropped (one larger Query also
    costs no more read units than two, each rounded up to 4 KB). Then what the page still
    lacks at the share that matched so far, with a fifth more. What matches beyond `limit` is
    cut by the caller, and the cursor set after the last item kept."""
    missing = limit - len(page.items)
    if not plan.terms:
        return missing
    if not page.scanned:
        return math.ceil(limit * 1.2)
    matched_share = max(len(page.items), 1) / page.scanned
    return min(limit, math.ceil(missing / matched_share * 1.2))


def run(
    plan: Plan,
    table: str,
    *,
    limit: int,
    start: dict[str, Any] | None = None,
    budget: int = READ_BUDGET,
) -> Page:
    """Query `plan` until `limit` items match, the plan is exhausted or `budget` is read."""
    request = plan.request(table)
    page = Page([], None, plans=[plan.index or "table"])
    client = aws.dynamodb()
    while True:
        if start:
            request["ExclusiveStartKey"] = start
        want = next_read(plan, limit, page)
        response = client.query(**request, Limit=max(1, min(want, budget - page.scanned)))
        page.queries += 1
        page.scanned += response["ScannedCount"]
        found = response.get("Items", [])
        if plan.keys_only and found:
            found = fetch(table, found, plan.table_keys)
            page.fetched += len(found)
            found = [i for i in found if all(t.matches(from_item(i)) for t in plan.terms)]
        page.items += [from_item(item) for item in found]
        start = response.get("LastEvaluatedKey")
        if len(page.items) > limit:
            page.items = page.items[:limit]
            start = to_item({name: page.items[-1][name] for name in plan.key_attributes})
        if not start or len(page.items) >= limit or page.scanned >= budget:
            page.next_start = start or None
            return page


def fetch(
    table: str, keyed: list[dict[str, Any]], keys: tuple[str, ...] = ("pk", "sk")
) -> list[dict[str, Any]]:
    """The whole items for index entries (BatchGetItem, 100 at a time), in the entries' order;
    `keys` names the table's key attributes (strings)."""
    wanted = [{name: entry[name] for name in keys} for entry in keyed]
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    client = aws.dynamodb()
    for begin in range(0, len(wanted), 100):
        pending: dict[str, Any] = {table: {"Keys": wanted[begin : begin + 100]}}
        while pending:
            answer = client.batch_get_item(RequestItems=pending)
            for item in answer.get("Responses", {}).get(table, []):
                found[tuple(item[name]["S"] for name in keys)] = item
            pending = dict(answer.get("UnprocessedKeys") or {})
    return [
        found[key]
        for key in (tuple(entry[name]["S"] for name in keys) for entry in wanted)
        if key in found
    ]


# ---------------------------------------------------------------------- cursors
def _digest(merchant_id: str, fingerprint: dict[str, Any], state: dict[str, Any]) -> str:
    text = json.dumps([merchant_id, fingerprint, state], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def encode_cursor(merchant_id: str, fingerprint: dict[str, Any], state: dict[str, Any]) -> str:
    body = {"s": state, "h": _digest(merchant_id, fingerprint, state)}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def refused(why: str) -> InvalidQuery:
    return InvalidQuery([problem("cursor", why, "cursor_invalid")])


def decode_cursor(merchant_id: str, fingerprint: dict[str, Any], token: str) -> dict[str, Any]:
    """The state `encode_cursor` packed, if this merchant was given `token` for this query."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw)
        state, digest = body["s"], body["h"]
    except (binascii.Error, ValueError, TypeError, KeyError) as error:
        raise refused("not a cursor this API gave") from error
    if not isinstance(state, dict) or digest != _digest(merchant_id, fingerprint, state):
        raise refused("this cursor belongs to another query; start again without it")
    return state
