"""The console order page's correction form: the fields each code points at
(ordersync.actions.edits, shared with the resolve page), a bad value answered with a 422 page
listing every problem, a good one resent into the operation's body."""

from ordersync.alerts.ids import find
from ordersync.operations import manual
from tests.console_harness import csrf_of, signed_in

ADDRESS_DETAIL = "shippingAddress.postalCode is not a postal code of shippingAddress.country"


def test_an_address_rejection_offers_those_fields_and_a_bad_value_is_a_422(failed):
    (shown,) = failed(1, detail=ADDRESS_DETAIL)
    browser = signed_in("operator@demo-merchant.test")
    page = browser.get(f"/console/alerts/{shown}")
    assert 'id="s-shippingAddress-postalCode" name="shippingAddress.postalCode"' in page.body
    assert 'id="s-shippingAddress-country" name="shippingAddress.country"' in page.body
    assert 'value="SW1Y 4JH"' in page.body  # what the channel sent, ready to keep
    assert 'name="shippingAddress.city"' not in page.body  # not named: not offered

    bad = browser.post(
        f"/console/alerts/{shown}/resend",
        {
            "shippingAddress.postalCode": "",
            "shippingAddress.country": "gb",
            "csrf": csrf_of(page.body),
        },
    )
    assert bad.status == 422
    assert "shippingAddress.postalCode: Field required" in bad.body
    assert "shippingAddress.country: String should match pattern" in bad.body
    operation_id = find("demo-merchant", shown).operation_id
    assert manual.read(operation_id).message.payload["shippingAddress"]["country"] == "GB"

    good = browser.post(
        f"/console/alerts/{shown}/resend",
        {"shippingAddress.postalCode": "EC1A 1BB", "csrf": csrf_of(page.body)},
    )
    assert "1 of 1 done" in good.body, good.body
    address = manual.read(operation_id).message.payload["shippingAddress"]
    assert (address["postalCode"], address["country"]) == ("EC1A 1BB", "GB")


def test_a_ship_method_mapping_offers_the_shipping_method(failed):
    (shown,) = failed(1, code="Ship Method Mapping Missing", detail="EXPRESS")
    page = signed_in("operator@demo-merchant.test").get(f"/console/alerts/{shown}")
    assert 'name="shippingMethod"' in page.body
    assert "Correct what the code points at and resend" in page.body


def test_a_code_whose_fix_is_not_a_field_offers_no_form(failed):
    (shown,) = failed(1, code="Unauthorized")
    page = signed_in("operator@demo-merchant.test").get(f"/console/alerts/{shown}")
    assert page.status == 200
    assert "/resend" not in page.body
