"""The query benchmark's projection arithmetic and its filter cases (no AWS)."""

from bench.dynamo_meter import table_shapes
from bench.dynamo_units import TableShape
from bench.query import FILTERS, _old_shape, alerts, projections
from local.template import LocalTemplate
from ordersync.alerts.query import AlertQuery
from ordersync.alerts.repository import alert_fields
from ordersync.core.clock import iso
from ordersync.core.dynamo import to_item


def test_every_bench_case_is_a_valid_alert_query():
    assert {
        "created window (10 days)",
        "message keyword",
        "multi: error, erp, keyword, since",
    } <= set(FILTERS)
    for wanted in FILTERS.values():
        AlertQuery.parse(wanted)


def test_projections_compare_the_template_with_projecting_all():
    shape: TableShape = table_shapes(LocalTemplate.load().sam)["AlertsTable"]
    assert {index.projection for index in _old_shape(shape).indexes} == {"ALL", "KEYS_ONLY"}
    items = [
        to_item(
            {
                "pk": a.merchant_id,
                "sk": a.entity_key,
                **alert_fields(a),
                "createdAt": iso(a.created_at),
            }
        )
        for a in alerts(60)
    ]
    figures = projections(items, shape)
    reads = figures["page_read_units"]
    assert reads["INCLUDE"] <= reads["ALL"] < reads["KEYS_ONLY + BatchGetItem"]
    assert figures["page_bytes"]["INCLUDE"] < figures["page_bytes"]["ALL"]
    # items under 1 KB: an index entry is one write unit whatever it projects
    assert (
        figures["update_write_units"]["after (template)"]
        == figures["update_write_units"]["before (ALL)"]
    )
