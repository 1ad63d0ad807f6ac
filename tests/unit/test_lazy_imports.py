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


def _fresh(code: str) -> str:
    """What `code` prints in a fresh interpreter, where nothing is imported yet."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.slow  # a fresh interpreter, like the cold-import checks (1-14 s on a busy machine)
def test_delivering_without_a_template_or_schema_loads_neither_jinja2_nor_jsonschema():
    assert _fresh(PROBE) == "[]"


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
    assert _fresh(MAIL_PROBE) == "False"
