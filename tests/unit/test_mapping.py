from datetime import UTC, datetime

import pytest

from ordersync.config.models import Integration
from ordersync.core.models import OperationMessage, OperationType
from ordersync.delivery.mapping import MappingProblem, translate


def integration(**changes) -> Integration:
    return Integration(
        integration_id="erp", merchant_id="m", name="ERP", base_url="http://127.0.0.1:1", **changes
    )


@pytest.fixture
def message(order_request) -> OperationMessage:
    return OperationMessage(
        operation_id="op",
        operation=OperationType.CREATE,
        merchant_id="m",
        integration_id="erp",
        channel_id="shop",
        order_id=order_request["orderId"],
        accepted_at=datetime.now(UTC),
        payload=order_request,
    )


def with_template(source: str, **changes) -> Integration:
    return integration(templates={OperationType.CREATE: source}, **changes)


def problem(message, setup) -> MappingProblem:
    with pytest.raises(MappingProblem) as raised:
        translate(message, setup)
    return raised.value


TEMPLATE = """{"ref": {{ order_id | tojson }}, "email": {{ order.customer.email | tojson }},
 "lines": [{% for line in order.lines %}{"sku": {{ line.sku | tojson }}, "qty": {{ line.quantity }}}{{ "," if not loop.last }}{% endfor %}],
 "ship": {{ ship_method | tojson }}}"""


def test_a_template_renders_the_platform_payload(message):
    translated = translate(
        message, with_template(TEMPLATE, ship_method_map={"standard": "DHL-STD"})
    )
    assert translated == {
        "ref": "WEB-10001",
        "email": "ada@example.com",
        "lines": [{"sku": "TEA-EARL-250", "qty": 2}, {"sku": "MUG-WHITE", "qty": 1}],
        "ship": "DHL-STD",
    }


def test_without_a_template_the_order_goes_as_it_is(message):
    translated = translate(message, integration())
    assert translated["externalId"] == "shop.WEB-10001", "the channel namespaces the id"
    assert translated["lines"] == message.payload["lines"]


def test_a_template_that_does_not_compile_is_a_template_error(message):
    found = problem(message, with_template('{"a": {{ order.id }'))
    assert found.code == "Template Error"
    assert found.facts["detail"].startswith("line 1:")


def test_a_template_that_fails_while_rendering_is_a_rendering_error(message):
    assert problem(message, with_template('{"a": {{ 1 / 0 }}}')).code == "Rendering Error"
    assert "did not produce JSON" in problem(message, with_template("not json")).facts["detail"]


def test_every_missing_value_is_listed_at_once(message):
    source = (
        '{"vat": {{ order.customer.vatNumber | tojson }}, "gln": "{{ order.billingAddress.gln }}"}'
    )
    found = problem(message, with_template(source))
    assert found.code == "Insufficient Data"
    assert found.facts["problems"] == "vatNumber is missing, billingAddress is missing"


def test_a_default_is_not_a_missing_value(message):
    assert translate(
        message, with_template('{"vat": {{ order.customer.vatNumber | default("none") | tojson }}}')
    ) == {"vat": "none"}


def test_the_platform_schema_lists_every_violation(message):
    schema = {
        "type": "object",
        "required": ["externalId", "warehouse"],
        "properties": {"currency": {"enum": ["USD"]}, "lines": {"maxItems": 1}},
    }
    found = problem(message, integration(schemas={OperationType.CREATE: schema}))
    assert found.code == "Invalid Schema"
    assert found.facts["problems"].count(";") == 2
    assert "'warehouse' is a required property" in found.facts["problems"]
    assert "currency: 'EUR' is not one of ['USD']" in found.facts["problems"]


def test_an_unmapped_ship_method_is_named(message):
    found = problem(message, integration(ship_method_map={"express": "DHL-EXP"}))
    assert (found.code, found.facts["detail"]) == ("Ship Method Mapping Missing", "standard")


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",  # loops without end
        '{{ "x" * 100000000 }}',  # memory
        "{{ 10 ** 100000 }}",  # cpu
        "{{ order.__class__.__mro__ }}",  # escaping the sandbox
        "{{ cycler.__init__.__globals__.os }}",  # reaching os
        "{% include '/etc/passwd' %}",  # reading files
        "{% import 'os' as os %}",  # importing
    ],
)
def test_the_sandbox_refuses_what_a_template_must_not_do(message, source):
    assert problem(message, with_template(source)).code in {"Rendering Error", "Template Error"}
