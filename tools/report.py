"""`make report`: every merchant's daily order-sync report, sent now by the running local
stack's report function (as its schedule would, without waiting for the send time, and
without counting as the day's), then where to read it.

Usage: python -m tools.report [--url http://127.0.0.1:3000]
"""

import argparse
import json
import sys

import boto3
import httpx

from tools.redrive import local_stack_state


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.report", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:3000", help="the local stack")
    url = parser.parse_args().url.rstrip("/")
    try:
        stack = local_stack_state(url)
    except httpx.HTTPError as error:
        sys.exit(f"no local stack at {url} ({error}): start one with `make run`")
    # The stack's embedded AWS runs a Lambda invoke with the project's own handler.
    client = boto3.client(
        "lambda",
        endpoint_url=stack["awsEndpoint"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    answer = client.invoke(
        FunctionName=stack["resources"]["ReportFunction"],
        Payload=json.dumps({"sendNow": True}).encode(),
    )
    result = json.loads(answer["Payload"].read())
    if answer.get("FunctionError"):
        sys.exit(f"the report function failed: {result}")
    print(
        f"{result['reports']} report(s), {result['emails']} email(s): "
        f"{', '.join(result['merchants']) or 'no merchant has a recipient'}"
    )
    print(f"read them: curl -s {url}/_local/outbox")
    print("(set a merchant's report: PUT /v1/settings/report, or the console's Settings page)")


if __name__ == "__main__":
    main()
