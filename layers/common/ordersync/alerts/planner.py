"""The alert list's query planner: which index answers, with which key condition, and which
filters are left for a filter expression. Pure (no AWS): the same query always gets the same
plan, and unit tests pin each choice.

Indexes (template.yaml), narrowest first; the first whose partition the query fixes answers:
1. needs-action (`needsAction` = merchant; sparse): `needsAction=true`
2. by-code (`merchantCode` = merchant#code): `code`, or a status that is one code (queued,
   blocked), unless the code is a success's
3. by-created (`merchantId`, sorted by createdAt; keys only): `createdBefore` without an
   updated range (a created window in the past is otherwise unbounded on updatedAt); the
   page's items are then read by key and filtered here
4. by-level (`merchantLevel` = merchant#level): `level`, or a status that is one level
   (failed: error; pending, pending_verification: pending), unless the level is success
5. by-updated (`merchantId`): anything else, successes among it: they have no by-code and
   by-level entries (`alerts.repository.listed_by_level`), so `level=success`, a success's code
   (`code=Order Created`) are a filter expression on by-updated; a person's action (Marked
   Synced: `status=manually_synced`) keeps its by-code entry
Every index but by-created sorts by updatedAt: the updated range is its key condition, and
`createdAfter` raises its lower end too (an alert is updated at or after it is created).
by-created's range is the created window, lowered by `updatedBefore` likewise."""

from datetime import datetime

from ordersync.alerts.query import AlertQuery
from ordersync.alerts.repository import listed_by_code, listed_by_level
from ordersync.core.clock import iso
from ordersync.history.filters import Term, eq, query_terms
from ordersync.history.paging import Plan
from ordersync.history.query import STATUS_CODE, STATUS_LEVEL, last_moment_before


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def _earliest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return min(present) if present else None


def _bounds(low: datetime | None, before: datetime | None) -> tuple[str | None, str | None]:
    return (iso(low) if low else None, iso(last_moment_before(before)) if before else None)


def plan_alerts(merchant_id: str, query: AlertQuery) -> Plan:
    """The one Query that answers `query` for `merchant_id` (from the token, never a filter)."""
    terms = query_terms(query)
    code = query.code or (STATUS_CODE.get(query.status) if query.status else None)
    level = query.level or (STATUS_LEVEL.get(query.status) if query.status else None)
    updated_low = _latest(query.updated_after, query.created_after)
    if query.needs_action:
        index, partition, why = "needs-action", ("needsAction", merchant_id), "needs action"
    elif code is not None and listed_by_code(code):
        index, partition, why = "by-code", ("merchantCode", f"{merchant_id}#{code}"), "code"
        terms = _without(terms, eq("code", code))
    elif query.created_before is not None and query.updated_range() == (None, None):
        low, high = _bounds(query.created_after, _earliest(query.created_before))
        rest = tuple(t for t in terms if t.attributes != ("createdAt",))
        return Plan(
            "by-created",
            ("merchantId", merchant_id),
            "createdAt",
            low,
            high,
            rest,
            keys_only=True,
            reason="created window",
        )
    elif level is not None and listed_by_level(level):
        partition = ("merchantLevel", f"{merchant_id}#{level.value}")
        index, why = "by-level", "level"
        terms = _without(terms, eq("level", level.value))
    else:
        index, partition, why = "by-updated", ("merchantId", merchant_id), "newest"
    low, high = _bounds(updated_low, query.updated_before)
    rest = tuple(t for t in terms if t.attributes != ("updatedAt",))
    return Plan(index, partition, "updatedAt", low, high, rest, reason=why)


def _without(terms: list[Term], answered: Term) -> list[Term]:
    """`terms` less the one the index key answers (once: a second, different one stays)."""
    kept, dropped = [], False
    for term in terms:
        if term == answered and not dropped:
            dropped = True
            continue
        kept.append(term)
    return kept
