"""Print the error catalog as Markdown (docs/error-codes.md), from ordersync/catalog.json.

Usage: python -m tools.error_codes > docs/error-codes.md
"""

import sys

from ordersync.catalog.codes import catalog

LEVELS = ["error", "warning", "pending", "success"]


def error_codes_markdown() -> str:
    lines = [
        "# ordersync error, warning and success codes",
        "",
        "Generated from `layers/common/ordersync/catalog.json` by `make docs`; edit that file.",
        "Retry class: *transient* codes are retried automatically; *needs action* codes wait for a",
        "person (edit and resend, or retry); *final* codes have nothing left to send.",
        "",
    ]
    for level in LEVELS:
        entries = sorted(
            (e for e in catalog().values() if e.level.value == level), key=lambda e: e.code
        )
        lines += [
            f"## {level.capitalize()}",
            "",
            "| code | type | retry | what happened | what to do |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {e.code} | {e.type.value} | {e.retry_class.value} | {e.description} | {e.action} |"
            for e in entries
        ]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(error_codes_markdown())
