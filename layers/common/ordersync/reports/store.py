"""The report settings in the config table: one item per merchant under one partition
(pk REPORTS, sk the merchant id), so the scheduled run lists every merchant's settings with a
keyed Query, and a request reads or writes only its caller's item by key. The item also
remembers the last local day a report went out (`lastSentOn`), which makes it once a day."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ordersync.core import aws
from ordersync.core.dynamo import Update, from_item
from ordersync.core.settings import get_settings
from ordersync.reports.models import ReportSettings

PARTITION = "REPORTS"
FIELDS = ("sendTime", "timeZone", "scope", "recipients")


def _key(merchant_id: str) -> dict[str, Any]:
    return {"pk": {"S": PARTITION}, "sk": {"S": merchant_id}}


@dataclass(frozen=True)
class StoredReport:
    merchant_id: str
    settings: ReportSettings
    last_sent_on: str | None  # the local day (YYYY-MM-DD) of the last scheduled report


def _stored(item: dict[str, Any]) -> StoredReport:
    values = from_item(item)
    return StoredReport(
        merchant_id=values["sk"],
        settings=ReportSettings.model_validate({k: values[k] for k in FIELDS if k in values}),
        last_sent_on=values.get("lastSentOn"),
    )


class ReportStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().config_table

    def get(self, merchant_id: str) -> ReportSettings:
        """The merchant's settings; the defaults (no recipient: off) if never set."""
        item = aws.dynamodb().get_item(
            TableName=self._table, Key=_key(merchant_id), ConsistentRead=True
        )
        return _stored(item["Item"]).settings if "Item" in item else ReportSettings()

    def put(self, merchant_id: str, settings: ReportSettings) -> None:
        """Replace the settings, keeping `lastSentOn`: a report already sent today is not sent
        again because its time was moved."""
        values = settings.model_dump(by_alias=True, mode="json")
        Update().set_all({k: values[k] for k in FIELDS}).apply(self._table, _key(merchant_id))

    def remove_recipient(self, merchant_id: str, email: str) -> None:
        """Take `email` off the recipients (an unsubscribe link), unless an admin changed the
        list meanwhile (then their list stands: read again and retry once)."""
        for _ in range(2):
            item = aws.dynamodb().get_item(
                TableName=self._table, Key=_key(merchant_id), ConsistentRead=True
            )
            if "Item" not in item:
                return
            seen = _stored(item["Item"]).settings.recipients
            if email not in seen:
                return
            update = Update().set("recipients", [r for r in seen if r != email])
            if (
                update.when("#recipients = :seen", seen=seen)
                .apply(self._table, _key(merchant_id))
                .done
            ):
                return

    def every(self) -> Iterator[StoredReport]:
        """Every merchant's settings (the scheduled run; a Query of one partition)."""
        pages = (
            aws.dynamodb()
            .get_paginator("query")
            .paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": PARTITION}},
            )
        )
        for page in pages:
            for item in page.get("Items", []):
                yield _stored(item)

    def claim_day(self, merchant_id: str, day: str) -> bool:
        """Mark `day`'s report as sent: True for the one run that did (a conditional update)."""
        update = Update().set("lastSentOn", day)
        update.when(
            "attribute_exists(#pk) AND (attribute_not_exists(#lastSentOn) OR #lastSentOn <> :day)",
            day=day,
        )
        return update.apply(self._table, _key(merchant_id)).done

    def give_back_day(self, merchant_id: str, day: str, before: str | None) -> None:
        """Undo `claim_day` when the report could not be sent: the next run tries again."""
        update = Update().set("lastSentOn", before).when("#lastSentOn = :day", day=day)
        update.apply(self._table, _key(merchant_id))
