"""DynamoDB stream event-source mappings, run as Lambda runs them: records in order, in batches,
a failed record retried (with what follows it) until it passes or its attempts run out.

moto keeps a table's stream in its backend, but its DynamoDB Streams API is not reachable
through the embedded server (boto3 signs it as `dynamodb`, and moto answers "not yet
implemented"), so the stream is read from moto's backend in this process, where it runs.

moto keeps every record of a stream for ever, each with the item's old and new images; DynamoDB
keeps them 24 hours. Here a record goes once every mapping of its table has passed it, so the
stack's memory holds the tables and not every version of every alert."""

from datetime import datetime
from typing import Any, ClassVar
from weakref import WeakKeyDictionary, WeakSet

from moto.events.models import EventPattern

from local.embedded_aws import DYNAMODB_LOCK
from local.lambdas import InvocationError, LocalFunctions
from local.template import LocalTemplate, StreamMapping
from local.ticking import Ticking

ACCOUNT, REGION = "123456789012", "us-east-1"


class TableStream:
    """One table's stream, from the moment this was made on."""

    # Every reader of each shard: a record is dropped once all that still exist have passed it.
    _readers: ClassVar[WeakKeyDictionary[Any, WeakSet["TableStream"]]] = WeakKeyDictionary()

    def __init__(self, table_name: str) -> None:
        from moto.dynamodb.models import dynamodb_backends

        self.table = dynamodb_backends[ACCOUNT][REGION].get_table(table_name)
        self.shard: Any = self.table.stream_shard
        if self.shard is None:
            raise ValueError(f"table {table_name} has no stream")
        with DYNAMODB_LOCK:
            # A sequence number, not an index: the list's head is cut as records are passed.
            self.next_sequence = self.shard.starting_sequence_number + len(self.shard.items)
            self._readers.setdefault(self.shard, WeakSet()).add(self)
        self.arn = f"{self.table.table_arn}/stream/{self.table.latest_stream_label}"

    def read(self, limit: int = 1000) -> list[dict[str, Any]]:
        """The next records (at most `limit`), as Lambda's event carries them; not yet passed."""
        with DYNAMODB_LOCK:
            first = self.next_sequence - self.shard.starting_sequence_number
            chosen = self.shard.items[first : first + limit]
        return [self._event_record(item.to_json()) for item in chosen]

    def advance(self, count: int) -> None:
        with DYNAMODB_LOCK:
            self.next_sequence += count
            passed_by_all = min(reader.next_sequence for reader in self._readers[self.shard])
            dropped = passed_by_all - self.shard.starting_sequence_number
            if dropped > 0:
                # moto numbers a new record len(items) + starting_sequence_number: moving the
                # start by what is cut keeps every record's number.
                del self.shard.items[:dropped]
                self.shard.starting_sequence_number += dropped

    def _event_record(self, record: dict[str, Any]) -> dict[str, Any]:
        change = dict(record["dynamodb"])
        created = change.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            change["ApproximateCreationDateTime"] = int(created.timestamp())
        return {**record, "dynamodb": change, "eventSourceARN": self.arn}


def filter_patterns(sam: dict[str, Any], function: str) -> tuple[str, ...]:
    """The FilterCriteria patterns of `function`'s DynamoDB stream event in the template."""
    events = sam["Resources"][function]["Properties"].get("Events", {}).values()
    return tuple(
        str(criterion["Pattern"])
        for event in events
        if event["Type"] == "DynamoDB"
        for criterion in event["Properties"].get("FilterCriteria", {}).get("Filters", [])
    )


class RecordFilter:
    """An event-source mapping's FilterCriteria: a record passes if it matches any pattern (or
    there are none). The patterns are EventBridge's, matched by moto's own implementation of
    them (`moto.events`), the one its EventBridge rules use."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = [EventPattern.load(pattern) for pattern in patterns]

    def passes(self, record: dict[str, Any]) -> bool:
        return not self.patterns or any(p.matches_event(record) for p in self.patterns)


class StreamPoller(Ticking):
    def __init__(
        self,
        mapping: StreamMapping,
        table_name: str,
        functions: LocalFunctions,
        every: float = 0.2,
        patterns: tuple[str, ...] | None = None,
    ) -> None:
        """`patterns`: the mapping's FilterCriteria; None: as template.yaml declares them."""
        super().__init__(f"stream-{mapping.function}", every)
        self.mapping = mapping
        self.stream = TableStream(table_name)
        self.functions = functions
        if patterns is None:
            patterns = filter_patterns(LocalTemplate.load().sam, mapping.function)
        self.filter = RecordFilter(patterns)
        self.batches = 0
        self.filtered_out = 0  # records no pattern matched: never delivered, as on Lambda
        self.attempts = 0  # of the batch at the stream's position

    def tick(self) -> None:
        read = self.stream.read(self.mapping.batch_size)
        records = [record for record in read if self.filter.passes(record)]
        self.filtered_out += len(read) - len(records)
        if not records:
            self.stream.advance(len(read))  # nothing to deliver: Lambda is not invoked
            return
        self.batches += 1
        # How far the stream moves on: up to the first record that failed, counted in the
        # stream (the records filtered out before it go with those that passed).
        delivered = self._deliver(records)
        passed = len(read) if delivered == len(records) else read.index(records[delivered])
        self.attempts = 0 if passed else self.attempts + 1
        if passed == 0 and self.attempts <= self.mapping.maximum_retry_attempts:
            return  # the same records again, as Lambda retries a stream batch
        # Past its attempts, a failing record is skipped (Lambda would send it on to the
        # on-failure destination, if there were one).
        self.stream.advance(max(passed, 1))
        self.attempts = 0

    def _deliver(self, records: list[dict[str, Any]]) -> int:
        """How many records, from the first, passed."""
        try:
            result = self.functions.invoke(self.mapping.function, {"Records": records})
        except InvocationError:
            self.failures += 1
            return 0
        failed = []
        if self.mapping.report_batch_item_failures and isinstance(result, dict):
            failed = [item["itemIdentifier"] for item in result.get("batchItemFailures", [])]
        if not failed:
            return len(records)
        self.failures += 1
        sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
        return min(sequence.index(f) for f in failed if f in sequence) if failed else len(records)
