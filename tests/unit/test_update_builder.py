"""The one builder of DynamoDB update expressions (no AWS: the request it would send)."""

from ordersync.core.dynamo import Update


def test_sets_removes_adds_and_a_condition_become_one_request():
    request = (
        Update()
        .set("status", "synced")
        .set("watch", None)
        .set_if_absent("createdAt", "2026-11-29T00:00:00.000Z")
        .add("attempts", 1)
        .when("#status = :from", from_="pending")
        .request("Operations", {"operationId": {"S": "op-1"}})
    )
    assert request == {
        "TableName": "Operations",
        "Key": {"operationId": {"S": "op-1"}},
        "UpdateExpression": "SET #status = :status, #createdAt = if_not_exists(#createdAt, "
        ":createdAt) ADD #attempts :attempts REMOVE #watch",
        "ExpressionAttributeNames": {
            "#status": "status",
            "#watch": "watch",
            "#createdAt": "createdAt",
            "#attempts": "attempts",
        },
        "ExpressionAttributeValues": {
            ":status": {"S": "synced"},
            ":createdAt": {"S": "2026-11-29T00:00:00.000Z"},
            ":attempts": {"N": "1"},
            ":from": {"S": "pending"},
        },
        "ConditionExpression": "#status = :from",
    }


def test_conditions_add_up_and_reserved_words_are_always_aliased():
    request = (
        Update()
        .set("where", "here")
        .when("attribute_exists(operationId)")
        .when("#leaseHolder = :holder", holder="me")
        .request("T", {})
    )
    assert request["UpdateExpression"] == "SET #where = :where"
    assert request["ConditionExpression"] == (
        "(attribute_exists(operationId)) AND (#leaseHolder = :holder)"
    )
    assert request["ExpressionAttributeNames"] == {"#where": "where", "#leaseHolder": "leaseHolder"}


def test_an_update_without_values_sends_none():
    request = Update().remove("leaseHolder", "leaseUntil").request("T", {})
    assert request["UpdateExpression"] == "REMOVE #leaseHolder, #leaseUntil"
    assert "ExpressionAttributeValues" not in request
