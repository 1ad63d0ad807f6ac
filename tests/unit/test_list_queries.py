"""The list queries (GET /v1/alerts, GET /v1/history): every filter parses, every problem is
listed at once, and the planner picks the narrowest index for each filter set (pure, no AWS)."""

from datetime import UTC, date, datetime

import pytest

from ordersync.alerts.ids import UnknownAlert, alert_id, entity_key_of
from ordersync.alerts.planner import plan_alerts
from ordersync.alerts.query import AlertQuery, alert_row
from ordersync.history.filters import Term, eq, query_terms
from ordersync.history.listing import HistoryQuery, plan_history
from ordersync.history.paging import Page, Plan, decode_cursor, encode_cursor, next_read
from ordersync.history.query import InvalidQuery, ListStatus

EVERY_FILTER = {
    "level": "error",
    "type": "destination mapping",
    "code": "Ship Method Mapping Missing",
    "status": "failed",
    "integration": "erp",
    "identifier": "WEB-1",
    "message": "ship method",
    "httpCode": "422",
    "feedId": "feed-7",
    "systemCode": "E42",
    "systemCall": "POST /orders",
    "systemIdentifier": "P-9",
    "ordersyncId": "op-1",
    "integrationId": "erp",
    "ignored": "false",
    "createdAfter": "2026-11-01",
    "createdBefore": "2026-11-24T10:00:00Z",
    "updatedAfter": "2026-11-02T00:00:00+01:00",
    "updatedBefore": "2026-11-25",
    "columns": "orderId,code,attempts",
    "limit": "200",
    "cursor": "abc",
}


def problems(error: pytest.ExceptionInfo[InvalidQuery]) -> dict[str, str]:
    return {"/".join(p["loc"][1:]): p["type"] for p in error.value.problems}


# ---------------------------------------------------------------- the query model
def test_every_filter_parses_from_query_string_values():
    query = AlertQuery.parse(EVERY_FILTER)
    assert query.http_code == 422
    assert query.ignored is False
    assert query.limit == 200
    assert query.status is ListStatus.FAILED
    assert query.created_after == datetime(2026, 11, 1, tzinfo=UTC)  # no zone: UTC
    assert query.columns == ("orderId", "code", "attempts")
    assert query.shown() == ("alertId", "orderId", "code", "attempts")
    assert query.needs_item()
    assert len(query_terms(query)) == 19  # one term per filter, two per range
    history = HistoryQuery.parse(
        {k: v for k, v in EVERY_FILTER.items() if k not in ("ignored", "columns")}
    )
    assert history.created_range() == (
        datetime(2026, 11, 1, 23, tzinfo=UTC),  # the later start: updatedAfter
        datetime(2026, 11, 24, 10, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "name", [k for k in EVERY_FILTER if k not in ("columns", "limit", "cursor")]
)
def test_each_filter_alone_is_a_query(name):
    assert AlertQuery.parse({name: EVERY_FILTER[name]}).fingerprint() != {}


def test_every_problem_is_listed_at_once():
    with pytest.raises(InvalidQuery) as error:
        AlertQuery.parse(
            {
                "merchant": "m2",  # never a filter: the merchant comes from the token
                "level": "fatal",
                "status": "skipped",
                "httpCode": "abc",
                "limit": "201",
                "ignored": "perhaps",
                "createdAfter": "yesterday",
                "updatedAfter": "2026-11-24",
                "updatedBefore": "2026-11-23",
                "columns": "orderId,password",
                "message": "x",
            }
        )
    assert problems(error) == {
        "merchant": "extra_forbidden",
        "level": "enum",
        "status": "enum",
        "httpCode": "int_parsing",
        "limit": "less_than_equal",
        "ignored": "bool_parsing",
        "createdAfter": "datetime_parsing",
        "updatedBefore": "value_error",
        "columns": "value_error",
        "message": "string_too_short",
    }


def test_history_refuses_what_only_alerts_have():
    with pytest.raises(InvalidQuery) as error:
        HistoryQuery.parse({"status": "open", "ignored": "true", "needsAction": "true"})
    assert problems(error) == {
        "needsAction": "extra_forbidden",
        "status": "value_error",
        "ignored": "value_error",
    }


def test_an_alert_id_is_url_safe_stable_and_has_no_aliases():
    key = "erp#order#WEB-1/ä"
    made = alert_id(key)
    assert made == alert_id(key)
    assert "#" not in made
    assert "/" not in made
    assert "=" not in made
    assert entity_key_of(made) == key
    for bad in ("", "!!!", made + "=", "A"):
        with pytest.raises(UnknownAlert):
            entity_key_of(bad)


def test_a_row_shows_the_columns_asked_and_always_the_alert_id():
    values = {"pk": "m1", "sk": "erp#order#WEB-1", "identifier": "WEB-1", "level": "error"}
    row = alert_row(values, AlertQuery.parse({"columns": "orderId,operationStatus"}).shown())
    assert row == {
        "alertId": alert_id("erp#order#WEB-1"),
        "orderId": "WEB-1",
        "operationStatus": "failed",
    }


# ---------------------------------------------------------------- the planner
def plan(**params: str) -> Plan:
    return plan_alerts("m1", AlertQuery.parse(params))


@pytest.mark.parametrize(
    ("params", "index", "partition"),
    [
        ({}, "by-updated", ("merchantId", "m1")),
        ({"status": "open"}, "by-updated", ("merchantId", "m1")),
        ({"message": "SKU"}, "by-updated", ("merchantId", "m1")),
        ({"level": "warning"}, "by-level", ("merchantLevel", "m1#warning")),
        ({"status": "failed"}, "by-level", ("merchantLevel", "m1#error")),
        ({"status": "pending_verification"}, "by-level", ("merchantLevel", "m1#pending")),
        (
            {"code": "SKU Not Found", "level": "warning"},
            "by-code",
            ("merchantCode", "m1#SKU Not Found"),
        ),
        ({"status": "queued"}, "by-code", ("merchantCode", "m1#Queued")),
        ({"status": "blocked"}, "by-code", ("merchantCode", "m1#Order Not Yet Created")),
        ({"needsAction": "true", "code": "Timeout"}, "needs-action", ("needsAction", "m1")),
        ({"createdBefore": "2026-11-10"}, "by-created", ("merchantId", "m1")),
        ({"createdBefore": "2026-11-10", "level": "error"}, "by-created", ("merchantId", "m1")),
        (
            {"createdBefore": "2026-11-10", "code": "Timeout"},
            "by-code",
            ("merchantCode", "m1#Timeout"),
        ),
        (
            {"createdBefore": "2026-11-10", "updatedAfter": "2026-11-01"},
            "by-updated",
            ("merchantId", "m1"),
        ),
        (
            {"createdAfter": "2026-11-10", "level": "error"},
            "by-level",
            ("merchantLevel", "m1#error"),
        ),
        # Successes have no by-code and by-level entries: by-updated answers, filtered.
        ({"level": "success"}, "by-updated", ("merchantId", "m1")),
        ({"code": "Order Created"}, "by-updated", ("merchantId", "m1")),
        ({"status": "manually_synced"}, "by-code", ("merchantCode", "m1#Marked Synced")),
        ({"code": "Order Created", "level": "error"}, "by-level", ("merchantLevel", "m1#error")),
        (
            {"createdBefore": "2026-11-10", "code": "Order Created"},
            "by-created",
            ("merchantId", "m1"),
        ),
        ({"code": "No Such Code"}, "by-code", ("merchantCode", "m1#No Such Code")),
    ],
)
def test_the_narrowest_index_the_filters_fix_answers(params, index, partition):
    chosen = plan(**params)
    assert (chosen.index, chosen.partition) == (index, partition)


# An alert list leaves ignored alerts out unless it asks for them.
NOT_IGNORED = eq("ignored", False)


def test_a_success_filter_stays_a_filter_on_the_updated_time_index():
    chosen = plan(code="Order Created", level="success", updatedAfter="2026-11-01")
    assert chosen.low == "2026-11-01T00:00:00.000Z"
    assert chosen.terms == (
        eq("level", "success"),
        eq("code", "Order Created"),
        NOT_IGNORED,
    )
    assert plan(status="manually_synced").terms == (NOT_IGNORED,)


def test_the_key_answers_what_it_can_and_the_rest_is_filtered():
    chosen = plan(
        code="Timeout", status="open", updatedAfter="2026-11-01", updatedBefore="2026-11-02"
    )
    assert (chosen.low, chosen.high) == ("2026-11-01T00:00:00.000Z", "2026-11-01T23:59:59.999Z")
    assert chosen.terms == (NOT_IGNORED, eq("status", "open"))
    # createdAfter raises the updated key's lower end and stays a filter
    chosen = plan(createdAfter="2026-11-05", updatedAfter="2026-11-01")
    assert chosen.low == "2026-11-05T00:00:00.000Z"
    assert chosen.terms == (NOT_IGNORED, Term(("createdAt",), "ge", ("2026-11-05T00:00:00.000Z",)))
    # a created window: the key is the window; level and keyword are checked on fetched items
    chosen = plan(
        createdAfter="2026-11-01", createdBefore="2026-11-03", level="error", message="sku"
    )
    assert chosen.keys_only
    assert chosen.sort_key == "createdAt"
    assert (chosen.low, chosen.high) == ("2026-11-01T00:00:00.000Z", "2026-11-02T23:59:59.999Z")
    assert chosen.terms == (
        eq("level", "error"),
        NOT_IGNORED,
        Term(("businessMessage",), "contains", ("sku", "Sku")),
    )
    # status=failed with another level: the key answers one, the other stays (nothing matches)
    assert plan(status="failed", level="warning").terms == (NOT_IGNORED, eq("level", "error"))
    assert plan(status="ignored").terms == (eq("ignored", True),)
    assert plan(ignored="true").terms == (eq("ignored", True),)


def test_a_plan_is_a_query_never_a_scan():
    request = plan(integration="erp", ignored="false").request("Alerts")
    assert request["KeyConditionExpression"] == "#pk = :pk"
    assert request["ScanIndexForward"] is False
    assert request["FilterExpression"] == "#t0_0 = :t0_0 AND (#t1_0 = :t1_0 OR #t1_1 = :t1_0)"
    assert request["ExpressionAttributeNames"]["#t1_1"] == "channelId"


def test_history_walks_day_buckets_and_a_feed_id_has_its_own_index():
    query = HistoryQuery.parse({"code": "Timeout", "createdAfter": "2026-11-20"})
    day = plan_history("m1", query, date(2026, 11, 23))
    assert (day.index, day.partition) == ("by-merchant-day", ("merchantDay", "m1#2026-11-23"))
    assert day.low == "2026-11-20T00:00:00.000Z"
    assert day.terms == (eq("code", "Timeout"),)
    feed = plan_history("m1", HistoryQuery.parse({"feedId": "f-1", "level": "error"}))
    assert (feed.index, feed.partition, feed.terms) == (
        "by-feed",
        ("merchantFeed", "m1#f-1"),
        (eq("level", "error"),),
    )


# ---------------------------------------------------------------- cursors
def test_a_cursor_is_bound_to_its_merchant_and_query():
    fingerprint = AlertQuery.parse({"level": "error"}).fingerprint()
    token = encode_cursor("m1", fingerprint, {"k": {"pk": {"S": "m1"}}})
    assert decode_cursor("m1", fingerprint, token) == {"k": {"pk": {"S": "m1"}}}
    for merchant, query, cursor in (
        ("m2", fingerprint, token),  # another merchant's cursor
        ("m1", AlertQuery.parse({"level": "warning"}).fingerprint(), token),  # another query
        ("m1", fingerprint, token[:-2] + ("AA" if token[-2:] != "AA" else "BB")),  # tampered
        ("m1", fingerprint, "not a cursor"),
    ):
        with pytest.raises(InvalidQuery) as error:
            decode_cursor(merchant, query, cursor)
        assert problems(error) == {"cursor": "cursor_invalid"}


def test_a_cursor_key_must_lie_in_the_plans_partition():
    chosen = plan(level="error")
    mine = {
        "pk": {"S": "m1"},
        "sk": {"S": "k"},
        "merchantLevel": {"S": "m1#error"},
        "updatedAt": {"S": "t"},
    }
    assert chosen.check_start(mine, "m1".__eq__)
    theirs = {**mine, "pk": {"S": "m2"}, "merchantLevel": {"S": "m2#error"}}
    assert not chosen.check_start(theirs, "m1".__eq__)
    assert not chosen.check_start({**mine, "pk": {"S": "m2"}}, "m1".__eq__)
    assert not chosen.check_start({**mine, "extra": {"S": "x"}}, "m1".__eq__)
    assert not chosen.check_start({**mine, "updatedAt": {"N": "1"}}, "m1".__eq__)


def test_a_filtered_page_reads_what_it_still_lacks_at_the_share_that_matched():
    filtered = plan(code="Timeout")  # the default leaves ignored alerts out: one filter term
    unfiltered = plan_history("m1", HistoryQuery.parse({}), date(2026, 11, 23))
    assert not unfiltered.terms
    assert next_read(unfiltered, 50, Page([{}] * 20, None, scanned=20)) == 30
    assert next_read(filtered, 50, Page([], None)) == 60  # a page and a fifth first
    # 45 of 50 matched (ignored ones dropped): 5 missing at 90 %, a fifth more
    assert next_read(filtered, 50, Page([{}] * 45, None, scanned=50)) == 7
    assert next_read(filtered, 50, Page([], None, scanned=50)) == 50  # nothing matched yet
