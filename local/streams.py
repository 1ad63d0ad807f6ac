"""DynamoDB stream event-source mappings, run as Lambda runs them: records in order, in batches,
a failed record retried (with what follows it) until it passes or its attempts run out.

moto keeps a table's stream in its backend, but its DynamoDB Streams API is not reachable
through the embedded server (boto3 signs it as `dynamodb`, and moto answers "not yet
implemented"), so the stream is read from moto's backend in this process, where it runs."""

import threading
from datetime import datetime
from typing import Any

from local.lambdas import InvocationError, LocalFunctions
from local.template import StreamMapping

ACCOUNT, REGION = "123456789012", "us-east-1"


class TableStream:
    """One table's stream, from the moment this was made on."""

    def __init__(self, table_name: str) -> None:
        from moto.dynamodb.models import dynamodb_backends

        self.table = dynamodb_backends[ACCOUNT][REGION].get_table(table_name)
        self.shard = self.table.stream_shard
        if self.shard is None:
            raise ValueError(f"table {table_name} has no stream")
        self.position = len(self.shard.items)
        self.arn = f"{self.table.table_arn}/stream/{self.table.latest_stream_label}"

    def read(self, limit: int = 1000) -> list[dict[str, Any]]:
        """The next records (at most `limit`), as Lambda's event carries them; not yet passed."""
        chosen = self.shard.items[self.position : self.position + limit]
        return [self._event_record(item.to_json()) for item in chosen]

    def advance(self, count: int) -> None:
        self.position += count

    def _event_record(self, record: dict[str, Any]) -> dict[str, Any]:
        change = dict(record["dynamodb"])
        created = change.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            change["ApproximateCreationDateTime"] = int(created.timestamp())
        return {**record, "dynamodb": change, "eventSourceARN": self.arn}


class StreamPoller:
    def __init__(
        self, mapping: StreamMapping, table_name: str, functions: LocalFunctions, every: float = 0.2
    ) -> None:
        self.mapping = mapping
        self.stream = TableStream(table_name)
        self.functions = functions
        self.every = every
        self.stopping = threading.Event()
        self.batches = 0
        self.failures = 0
        self.thread = threading.Thread(
            target=self._run, name=f"stream-{mapping.function}", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        attempts = 0
        while not self.stopping.wait(self.every):
            records = self.stream.read(self.mapping.batch_size)
            if not records:
                continue
            self.batches += 1
            passed = self._deliver(records)
            attempts = 0 if passed else attempts + 1
            if passed == 0 and attempts <= self.mapping.maximum_retry_attempts:
                continue  # the same records again, as Lambda retries a stream batch
            # Past its attempts, a failing record is skipped (Lambda would send it on to the
            # on-failure destination, if there were one).
            self.stream.advance(max(passed, 1))
            attempts = 0

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
