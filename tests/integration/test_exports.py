"""Exports on moto, through the merchant API as a signed-in user calls it: the file itself up
to the threshold (CSV read back with the csv module, XLSX with openpyxl, as a user would open
them), formula injection neutralised, the list's filters and columns honoured, every problem
at once in a 422; past the threshold a job on the exports queue, run by the export function,
with its progress and a presigned link that downloads the file; another merchant's job is 404."""

import base64
import copy
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import boto3
import openpyxl
import pytest

from local.lambdas import LambdaContext, _load
from local.template import LocalTemplate
from ordersync.alerts import policy
from ordersync.api import merchant_app
from ordersync.catalog.codes import outcome
from ordersync.core.models import OperationMessage
from ordersync.exports import service, storage
from ordersync.exports.jobs import ExportStore
from ordersync.merchants.models import MerchantUser, Permissions, Role
from ordersync.merchants.repository import UserStore
from tests.factories import load_event

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
# Order ids a channel or a platform could send that a spreadsheet would run as formulas.
FORMULAS = ["=1+2", "+3", "-4+5", "@SUM(A1)", "\tTAB", "\rCR"]
CODES = ["Timeout", "SKU Not Found", "Order Created"]  # error, warning, success


def seed_alerts(monkeypatch, merchant: str, count: int) -> None:
    """Order n: code CODES[n % 3], updated n minutes after T0; the first six ids are formulas."""
    for n in range(count):
        order_id = FORMULAS[n] if n < len(FORMULAS) else f"WEB-{n}"
        message = OperationMessage.model_validate(
            {
                "operation_id": f"op-{merchant}-{n}",
                "operation": "create",
                "merchant_id": merchant,
                "integration_id": "erp",
                "channel_id": "shop",
                "order_id": order_id,
                "accepted_at": T0,
                "payload": {},
            }
        )
        moment = T0 + timedelta(minutes=n)
        monkeypatch.setattr(policy, "now", lambda moment=moment: moment)
        facts = {"order_id": order_id, "detail": 'say "hi", then, go\non', "http_code": 504}
        policy.record(message, outcome(CODES[n % 3], **facts), next_step="…", attempts=n + 1)


@pytest.fixture
def merchants(stack, monkeypatch):
    """m1 with 12 alerts, m2 with 3, and a viewer of each (any role may export)."""
    seed_alerts(monkeypatch, "m1", 12)
    seed_alerts(monkeypatch, "m2", 3)
    for merchant in ("m1", "m2"):
        user = {"user_id": f"u-{merchant}", "merchant_id": merchant, "role": Role.VIEWER}
        UserStore().create(
            MerchantUser(
                **user,
                email=f"viewer@{merchant}.test",
                permissions=Permissions(),
                created_at=T0,
                updated_at=T0,
            )
        )
    return stack


def call(route: str, merchant: str = "m1", query: str = "", **path: str) -> dict[str, Any]:
    """The merchant API's answer to `route`'s sample event as merchant's user sends it."""
    event = copy.deepcopy(load_event(f"merchant_api/{route}.json"))
    event["requestContext"]["authorizer"]["jwt"]["claims"].update(
        {"sub": f"u-{merchant}", "custom:merchant_id": merchant}
    )
    event["rawQueryString"] = query
    event["queryStringParameters"] = (
        dict(part.split("=", 1) for part in query.split("&") if part) or None
    )
    if path:
        event["pathParameters"] = path
        raw = f"/dev/v1/exports/{quote(path['exportId'], safe='')}"
        event["rawPath"] = event["requestContext"]["http"]["path"] = raw
    return merchant_app.app.resolve(event, LambdaContext("MerchantApiFunction", 10))


def body_bytes(answer: dict[str, Any]) -> bytes:
    raw = answer["body"]
    return base64.b64decode(raw) if answer["isBase64Encoded"] else raw.encode()


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def test_a_small_csv_export_is_the_file_itself_rfc_4180_and_newest_first(merchants):
    answer = call("export_alerts", query="format=csv&columns=orderId,code,message,attempts")
    assert answer["statusCode"] == 200
    headers = answer["headers"]
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"].startswith('attachment; filename="alerts-')
    data = body_bytes(answer)
    assert data.endswith(b"\r\n")
    assert b"\r\n" in data.split(b'"')[0]
    rows = csv_rows(data)
    assert rows[0] == ["alertId", "orderId", "code", "message", "attempts"]
    assert len(rows) == 13  # the header and m1's 12 alerts, none of m2's
    assert [row[1] for row in rows[1:4]] == ["WEB-11", "WEB-10", "WEB-9"]  # newest first
    assert {row[2] for row in rows[1:]} == set(CODES)
    # A message with quotes, a comma and a line break comes back whole.
    assert any('say "hi", then, go\non' in row[3] for row in rows[1:]), rows[1]
    assert rows[-1][4] == "1"  # a column read from the item (attempts), not the index


def test_formula_cells_are_neutralised_in_csv_and_xlsx(merchants):
    shown = {f"'{formula}" for formula in FORMULAS}
    rows = csv_rows(body_bytes(call("export_alerts", query="format=csv&columns=orderId")))
    assert {row[1] for row in rows[1:]} >= shown
    assert not any(row[1].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:])
    answer = call("export_alerts", query="format=xlsx&columns=orderId")
    sheet = openpyxl.load_workbook(io.BytesIO(body_bytes(answer))).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # XML reads a carriage return in text as a line feed; the apostrophe stays in front.
    assert set(cells) >= {text.replace("\r", "\n") for text in shown}
    # openpyxl would have stored "=1+2" as a formula; neutralised, every cell is text.
    assert {c.data_type for row in sheet.iter_rows(min_row=2) for c in row} == {"s"}


def test_a_small_xlsx_export_opens_in_openpyxl_with_the_chosen_columns(merchants):
    answer = call("export_alerts", query="format=xlsx&level=error&columns=orderId,level,ignored")
    assert answer["statusCode"] == 200
    assert answer["isBase64Encoded"] is True  # binary survives API Gateway base64-encoded
    assert answer["headers"]["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert answer["headers"]["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(body_bytes(answer)))
    assert book.sheetnames == ["alerts"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("alertId", "orderId", "level", "ignored")
    assert len(rows) == 5  # one code in three is an error: 4 of 12
    assert {row[2] for row in rows[1:]} == {"error"}
    assert {row[3] for row in rows[1:]} == {False}  # booleans stay booleans


def test_history_exports_with_the_history_filters(merchants):
    answer = call("export_history", query="format=csv&code=Timeout&columns=orderId,code")
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Disposition"].startswith('attachment; filename="history-')
    assert csv_rows(body_bytes(answer))[0] == ["orderId", "code"]


def test_every_problem_of_an_export_request_is_one_422(merchants):
    answer = call(
        "export_alerts",
        query="format=pdf&level=loud&columns=orderId,nope&limit=5&cursor=abc&colour=red",
    )
    assert answer["statusCode"] == 422
    problems = json.loads(answer["body"])["problems"]
    assert {p["field"] for p in problems} >= {"format", "level", "columns", "limit", "cursor"}
    assert "colour" in {p["field"] for p in problems}
    history = call("export_history", query="status=open&ignored=true")
    assert history["statusCode"] == 422
    assert {p["field"] for p in json.loads(history["body"])["problems"]} == {"status", "ignored"}


@pytest.fixture
def threshold(monkeypatch):
    """Exports of more than 5 rows run as jobs."""
    monkeypatch.setenv("EXPORT_DIRECT_ROWS", "5")


def run_queued_jobs(stack) -> list[dict[str, Any]]:
    """What Lambda's event-source mapping does: the export function gets each queued message."""
    handler = _load(LocalTemplate.load().functions["ExportFunction"])
    url = stack.resources["ExportsQueue"]
    answers = []
    for message in stack.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        record = {
            "messageId": message["MessageId"],
            "body": message["Body"],
            "eventSource": "aws:sqs",
        }
        answers.append(handler({"Records": [record]}, LambdaContext("ExportFunction", 900)))
        stack.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return answers


def test_past_the_threshold_a_job_writes_the_file_and_links_to_it(
    merchants, threshold, monkeypatch
):
    started = call("export_alerts", query="format=csv&columns=orderId,code")
    assert started["statusCode"] == 202
    job = json.loads(started["body"])
    # The sample event came through the dev stage's default URL: /dev/v1/...
    assert started["headers"]["Location"] == f"/dev/v1/exports/{job['exportId']}"
    assert job["status"] == "queued"
    assert job["rowsWritten"] == 0
    assert job["downloadUrl"] is None

    progress: list[int] = []
    real = ExportStore.progress
    monkeypatch.setattr(service, "PROGRESS_SECONDS", 0)
    monkeypatch.setattr(
        ExportStore,
        "progress",
        lambda self, j, rows, n: progress.append(rows) or real(self, j, rows, n),
    )
    monkeypatch.setattr("ordersync.exports.requests.MAX_LIMIT", 5)  # pages of 5 rows
    assert run_queued_jobs(merchants) == [{"batchItemFailures": []}]
    assert progress == [5, 10, 12]

    shown = call("get_export", exportId=job["exportId"])
    assert shown["statusCode"] == 200
    done = json.loads(shown["body"])
    assert done["status"] == "done"
    assert done["rowsWritten"] == 12
    assert done["downloadUrl"].startswith("https://")
    assert done["downloadExpiresAt"]
    # The link is presigned for the file's name; read it back as S3 has it.
    s3 = boto3.client("s3", region_name="us-east-1")
    stored = s3.get_object(
        Bucket=merchants.resources["ExportsBucket"],
        Key=f"exports/{job['exportId']}/{done['filename']}",
    )
    rows = csv_rows(stored["Body"].read())
    assert rows[0] == ["alertId", "orderId", "code"]
    assert len(rows) == 13
    assert "X-Amz-Expires=300" in done["downloadUrl"]
    assert "response-content-disposition=attachment" in done["downloadUrl"]


def test_an_xlsx_job_is_written_part_by_part(merchants, threshold, monkeypatch):
    monkeypatch.setattr(storage, "PART_BYTES", 5 * 1024 * 1024)
    job = json.loads(call("export_alerts", query="format=xlsx")["body"])
    run_queued_jobs(merchants)
    done = json.loads(call("get_export", exportId=job["exportId"])["body"])
    assert done["status"] == "done"
    s3 = boto3.client("s3", region_name="us-east-1")
    data = s3.get_object(
        Bucket=merchants.resources["ExportsBucket"],
        Key=f"exports/{job['exportId']}/{done['filename']}",
    )["Body"].read()
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert len(rows) == 13
    assert rows[0][0] == "alertId"


def test_another_merchant_s_export_id_is_404_and_a_copy_of_the_message_does_nothing(
    merchants, threshold
):
    job = json.loads(call("export_alerts", query="format=csv")["body"])
    assert call("get_export", merchant="m2", exportId=job["exportId"])["statusCode"] == 404
    assert call("get_export", exportId="0" * 32)["statusCode"] == 404
    assert call("get_export", exportId="../../etc")["statusCode"] == 404
    run_queued_jobs(merchants)
    assert service.run_job("m1", job["exportId"]) is None  # a second delivery: nothing to run
    assert service.run_job("m2", job["exportId"]) is None  # not m2's job: nothing run
    assert json.loads(call("get_export", exportId=job["exportId"])["body"])["rowsWritten"] == 12
