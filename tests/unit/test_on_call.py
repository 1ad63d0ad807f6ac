"""What the template promises the engineer on call: every alarm reaches someone, the failures
that matter are watched, one dashboard shows them, and nothing is lost without a trace."""

import json
import re

from samcli.yamlhelper import yaml_parse

from local.template import TEMPLATE

RESOURCES = yaml_parse(TEMPLATE.read_text())["Resources"]
ALARMS = {
    name: r["Properties"] for name, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"
}
TABLES = [name for name, r in RESOURCES.items() if r["Type"] == "AWS::DynamoDB::Table"]


def _metrics(alarm):
    if "MetricName" in alarm:
        return [(alarm["Namespace"], alarm["MetricName"])]
    return [
        (m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"])
        for m in alarm["Metrics"]
        if "MetricStat" in m
    ]


def test_every_alarm_notifies_the_topic_when_it_fires_and_when_it_clears():
    assert ALARMS
    for name, alarm in ALARMS.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["AlarmDescription"], name


def test_the_topic_has_an_email_subscriber_when_one_is_given():
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["TopicArn"] == {"Ref": "AlarmTopic"}
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_the_failures_that_matter_are_watched():
    watched = {metric for alarm in ALARMS.values() for metric in _metrics(alarm)}
    assert {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/States", "ExecutionsFailed"),
        ("AWS/States", "ExecutionsTimedOut"),
        ("AWS/ApiGateway", "5xx"),
    } <= watched


def test_math_alarms_add_up_every_metric_they_read():
    for name, alarm in ALARMS.items():
        if "Metrics" not in alarm:
            continue
        (expression,) = [m["Expression"] for m in alarm["Metrics"] if "Expression" in m]
        ids = {m["Id"] for m in alarm["Metrics"] if "MetricStat" in m}
        assert set(re.findall(r"[a-z]+", expression)) == ids, name
        assert len(alarm["Metrics"]) <= 10, f"{name}: CloudWatch allows 10 metrics per alarm"


def test_the_dashboard_shows_every_alarm_and_is_valid_json():
    body, _ = RESOURCES["OnCallDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    substituted = re.sub(r"\$\{[^}]+\}", "x", body)
    widgets = json.loads(substituted)["widgets"]
    shown = set(re.findall(r"\$\{(\w+)\.Arn\}", body))
    assert shown == set(ALARMS)
    assert len(widgets) >= 4


def test_the_http_api_writes_access_logs_as_json():
    settings = RESOURCES["HttpApi"]["Properties"]["AccessLogSettings"]
    assert settings["DestinationArn"] == {"Fn::GetAtt": ["HttpApiAccessLogGroup", "Arn"]}
    line = json.loads(re.sub(r"\$context\.[\w.]+", "x", settings["Format"]))
    assert {"requestId", "route", "status", "integrationError"} <= set(line)


def test_every_table_can_be_restored_to_a_point_in_time():
    # Rate-limit buckets mean nothing an hour later; restoring them would restore nothing.
    for table in set(TABLES) - {"RateLimitsTable"}:
        recovery = RESOURCES[table]["Properties"].get("PointInTimeRecoverySpecification", {})
        assert recovery.get("PointInTimeRecoveryEnabled") is True, table


def test_operations_expire_like_their_history():
    ttl = RESOURCES["OperationsTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expiresAt", "Enabled": True}
