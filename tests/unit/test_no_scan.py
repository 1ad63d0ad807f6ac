"""No request path may Scan a table: every read is a GetItem or a Query on a key or an index."""

import re

from local.template import ROOT

CODE = [*(ROOT / "layers/common/ordersync").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]


def test_no_code_calls_scan():
    offenders = [
        str(path.relative_to(ROOT))
        for path in CODE
        if re.search(r"\.scan\(|paginator\(.scan.\)", path.read_text())
    ]
    assert offenders == []
    assert len(CODE) > 10
