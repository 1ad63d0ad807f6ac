"""SQS event-source mappings, run the way Lambda runs them: batches, partial batch failures,
and the queue's own visibility timeout and receive count (moto's mappings cannot)."""

import logging
import threading
import time
from typing import Any

from local.lambdas import InvocationError, LocalFunctions
from local.template import QueueMapping

log = logging.getLogger("local.pollers")


class QueuePoller:
    def __init__(
        self,
        mapping: QueueMapping,
        queue_url: str,
        queue_arn: str,
        functions: LocalFunctions,
        sqs: Any,
        concurrency: int,
    ) -> None:
        self.mapping = mapping
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.functions = functions
        self.sqs = sqs
        self.concurrency = concurrency
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.batches = 0
        self.failures = 0

    def start(self) -> None:
        for index in range(self.concurrency):
            thread = threading.Thread(
                target=self._run, name=f"poller-{self.mapping.function}-{index}", daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._poll_once()
            except Exception:  # keep polling, as Lambda's pollers do, whatever one batch did
                self.failures += 1
                time.sleep(0.5)

    def _poll_once(self) -> None:
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.mapping.batch_size, 10),
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = received.get("Messages", [])
        if not messages:
            return
        self.batches += 1
        event = {"Records": [self._record(message) for message in messages]}
        try:
            result = self.functions.invoke(self.mapping.function, event)
        except InvocationError:
            return  # the whole batch becomes visible again after the visibility timeout
        failed: set[str] = set()
        if self.mapping.report_batch_item_failures and isinstance(result, dict):
            failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
        done = [
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
            for index, message in enumerate(messages)
            if message["MessageId"] not in failed
        ]
        if done:
            answer = self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=done)
            for failed_delete in answer.get("Failed", []):
                # Lambda's poller says nothing either, but here it is the stack's own fault:
                # the message comes back after its visibility timeout, and a run waits for it.
                log.warning(
                    "%s: a handled message was not deleted (%s: %s)",
                    self.mapping.function,
                    failed_delete.get("Code"),
                    failed_delete.get("Message"),
                )

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": "us-east-1",
        }
