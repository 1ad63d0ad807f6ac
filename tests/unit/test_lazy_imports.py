"""What only some integrations need is not imported at cold start (make bench measures it)."""

import subprocess
import sys

import pytest

from local.template import ROOT

PROBE = """
import sys
import ordersync.delivery.service
print(sorted({name.split(".")[0] for name in sys.modules} & {"jinja2", "jsonschema"}))
"""


@pytest.mark.slow  # a fresh interpreter, like the cold-import checks (1-14 s on a busy machine)
def test_delivering_without_a_template_or_schema_loads_neither_jinja2_nor_jsonschema():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"


MAIL_PROBE = """
import sys
import ordersync.notifications.changes, ordersync.notifications.service
import ordersync.notifications.unsynced, ordersync.reports.service
print("jinja2" in sys.modules)
"""


@pytest.mark.slow
def test_the_mail_senders_load_jinja2_with_their_first_email_not_at_import():
    """The notifier's stream records mostly send nothing now (a digest later, or nothing to
    tell), and most of the report's quarter-hours have no report due."""
    result = subprocess.run(
        [sys.executable, "-c", MAIL_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False"
