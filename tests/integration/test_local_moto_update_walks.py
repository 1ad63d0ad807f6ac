"""moto's update-expression checks with the local stack's faster walks answer exactly as stock
moto does: the same item after each update and the same error for each bad one. Each side runs
in its own interpreter, since a patch, once applied, is moto's for the rest of the process."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

UPDATES: list[tuple[str, dict[str, str], dict[str, dict[str, object]]]] = [
    ("SET a = :s, b = :n", {}, {":s": {"S": "x"}, ":n": {"N": "2"}}),
    ("SET c = if_not_exists(c, :zero) + :one", {}, {":zero": {"N": "0"}, ":one": {"N": "1"}}),
    ("SET c = if_not_exists(c, :zero) + :one", {}, {":zero": {"N": "0"}, ":one": {"N": "1"}}),
    (
        "SET l = list_append(if_not_exists(l, :empty), :more)",
        {},
        {":empty": {"L": []}, ":more": {"L": [{"S": "first"}]}},
    ),
    ("SET #m = :map", {"#m": "m"}, {":map": {"M": {"x": {"M": {"y": {"S": "old"}}}}}}),
    ("SET #m.x.y = :s, #m.z = :n", {"#m": "m"}, {":s": {"S": "new"}, ":n": {"N": "5"}}),
    ("SET b = b - :one REMOVE a, #m.x", {"#m": "m"}, {":one": {"N": "1"}}),
    ("ADD hits :one, tags :two", {}, {":one": {"N": "1"}, ":two": {"SS": ["p", "q"]}}),
    ("DELETE tags :p", {}, {":p": {"SS": ["p"]}}),
    # Each of these must fail, with moto's own error.
    ("SET d = absent + :one", {}, {":one": {"N": "1"}}),
    ("SET #k = :s", {"#k": "pk"}, {":s": {"S": "other"}}),
    ("SET a = :s, g = :undefined", {}, {":s": {"S": "x"}}),
    ("SET a = :s, a = :n", {}, {":s": {"S": "x"}, ":n": {"N": "1"}}),
    ("SET e = :n + :s", {}, {":s": {"S": "x"}, ":n": {"N": "1"}}),
    ("SET #m.nope.deep = :s", {"#m": "m"}, {":s": {"S": "x"}}),
    ("SET f = list_append(b, :more)", {}, {":more": {"L": [{"S": "x"}]}}),
    ("SET a = :s REMOVE a", {}, {":s": {"S": "x"}}),
]

SCRIPT = """
import json, sys
import boto3
from botocore.exceptions import ClientError
from moto import mock_aws

if sys.argv[1] == "patched":
    from local import moto_speedups
    moto_speedups.apply()
updates = json.loads(sys.stdin.read())
answers = []
with mock_aws():
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.create_table(
        TableName="walked",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for expression, names, values in updates:
        request = {"ExpressionAttributeValues": values}
        if names:
            request["ExpressionAttributeNames"] = names
        try:
            dynamodb.update_item(
                TableName="walked", Key={"pk": {"S": "k"}}, UpdateExpression=expression,
                **request,
            )
        except ClientError as error:
            answers.append({"error": error.response["Error"]})
            continue
        item = dynamodb.get_item(TableName="walked", Key={"pk": {"S": "k"}})["Item"]
        answers.append({"item": item})
print(json.dumps(answers, sort_keys=True))
"""


def _answers(mode: str) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        input=json.dumps(UPDATES),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_faster_walks_answer_every_update_as_stock_moto_does() -> None:
    stock, patched = _answers("stock"), _answers("patched")

    assert patched == stock
    assert sum("error" in answer for answer in stock) >= 8  # the bad ones did fail
    assert stock[8]["item"]["tags"] == {"SS": ["q"]}  # type: ignore[index]
