"""The console's buttons on moto: one order's action, a resend with corrected shipping data,
bulk actions on ticked rows and on every alert matching the filters, each answered per alert;
a form without the session's CSRF token does nothing."""

from ordersync.alerts.repository import AlertStore
from tests.console_harness import csrf_of, signed_in


def alert_of(shown: str):
    from ordersync.alerts.ids import find

    return find("demo-merchant", shown, AlertStore())


def test_an_operator_retries_one_order_and_the_timeline_says_who(failed):
    (shown,) = failed()
    browser = signed_in("operator@demo-merchant.test")
    page = browser.get(f"/console/alerts/{shown}")
    answer = browser.post(
        f"/console/alerts/{shown}/act", {"action": "retry", "csrf": csrf_of(page.body)}
    )
    assert answer.status == 200, answer.body
    assert "1 of 1 done" in answer.body
    story = browser.get(f"/console/alerts/{shown}").body
    assert "Retry Requested" in story
    assert "by operator@demo-merchant.test" in story


def test_a_form_without_the_sessions_token_does_nothing(failed):
    (shown,) = failed()
    browser = signed_in("operator@demo-merchant.test")
    answer = browser.post(f"/console/alerts/{shown}/act", {"action": "ignore", "csrf": "forged"})
    assert answer.status == 403
    assert alert_of(shown).ignored is False


def test_an_ungranted_user_is_refused_with_the_reason(failed):
    (shown,) = failed()
    admin = signed_in("admin@demo-merchant.test")
    page = admin.get(f"/console/alerts/{shown}")
    answer = admin.post(
        f"/console/alerts/{shown}/act", {"action": "ignore", "csrf": csrf_of(page.body)}
    )
    assert "0 of 1 done" in answer.body
    assert "order-sync actions are off for this user" in answer.body
    assert alert_of(shown).ignored is False


def test_bulk_ignore_of_ticked_rows_answers_per_alert(failed):
    first, second = failed(2)
    browser = signed_in("operator@demo-merchant.test")
    page = browser.get("/console/alerts")
    answer = browser.post(
        "/console/bulk",
        {
            "action": "ignore",
            "ids": [first, second, "bm90LWFuLWFsZXJ0"],
            "csrf": csrf_of(page.body),
        },
    )
    assert answer.status == 200
    assert "2 of 3 done" in answer.body
    assert "not found" in answer.body
    assert alert_of(first).ignored
    assert alert_of(second).ignored


def test_select_all_matching_starts_a_job_on_every_match_and_no_other(failed, stack):
    mapped = failed(3, code="Ship Method Mapping Missing")
    (other,) = failed(1, code="Order Creation Failed")
    browser = signed_in("operator@demo-merchant.test")
    page = browser.get("/console/alerts", code="Ship Method Mapping Missing")
    answer = browser.post(
        "/console/bulk",
        {
            "action": "ignore",
            "scope": "matching",
            "filter.code": "Ship Method Mapping Missing",
            "csrf": csrf_of(page.body),
        },
    )
    assert answer.status == 303
    job_page = answer.location
    assert job_page.startswith("/console/jobs/")
    assert "running" in browser.get(job_page).body
    run_queued_jobs(stack)
    finished = browser.get(job_page).body
    assert "finished: 3 matched so far, 3 done" in finished
    assert all(alert_of(shown).ignored for shown in mapped)
    assert alert_of(other).ignored is False
    assert signed_in("admin@other-merchant.test").get(job_page).status == 404


def run_queued_jobs(stack) -> None:
    """What BulkActionsFunction does with the queued job parts."""
    from ordersync.actions import jobs

    url = stack.resources["BulkActionsQueue"]
    while messages := stack.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        for message in messages:
            jobs.run_part(jobs.JobTask.model_validate_json(message["Body"]), lambda: 300)
            stack.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_resend_with_corrected_shipping_data_replaces_the_body(failed):
    shipment = {"shipmentId": "S1", "shippedAt": "2026-11-25T08:00:00Z"}
    (shown,) = failed(1, code="Missing Shipping Data", operation="shipment", reference="S1")
    from ordersync.operations import manual

    operation_id = alert_of(shown).operation_id
    browser = signed_in("operator@demo-merchant.test")
    page = browser.get(f"/console/alerts/{shown}")
    assert 'id="s-trackingNumber"' in page.body
    corrected = {
        "carrier": "DHL",
        "trackingNumber": "1Z999",
        "trackingUrl": "https://t.example/1Z999",
    }
    bad = browser.post(
        f"/console/alerts/{shown}/resend",
        {**corrected, "trackingUrl": "not a url", "csrf": csrf_of(page.body)},
    )
    assert bad.status == 422
    assert "trackingUrl" in bad.body
    answer = browser.post(
        f"/console/alerts/{shown}/resend", {**corrected, "csrf": csrf_of(page.body)}
    )
    assert "1 of 1 done" in answer.body, answer.body
    payload = manual.read(operation_id).message.payload
    assert payload["trackingNumber"] == "1Z999"
    assert payload["shipmentId"] == shipment["shipmentId"]
    assert "Resent With Changes" in browser.get(f"/console/alerts/{shown}").body


def test_the_other_merchant_cannot_act_on_demo_orders(failed):
    (shown,) = failed()
    browser = signed_in("admin@other-merchant.test")
    page = browser.get("/console/alerts")
    assert shown not in page.body
    answer = browser.post(
        f"/console/alerts/{shown}/act", {"action": "ignore", "csrf": csrf_of(page.body)}
    )
    assert "0 of 1 done" in answer.body
    assert alert_of(shown).ignored is False
