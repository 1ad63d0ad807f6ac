"""Least privilege, checked: what each function calls against what its role allows.

The local stack does not enforce IAM, so a missing permission only shows once deployed, and an
excess one never shows. Both sides are brought to one form here and compared:

- a call: (function, IAM action, resource ARN), from the requests `bench.instrument` records
  per function on the local stack (`bench.required_permissions` turns a request into the
  actions it needs);
- a grant: (function, action pattern, resource pattern), from the IAM roles in the template as
  SAM translates it (policy templates expanded), plus the AWS managed policies SAM attaches
  (`bench.grants`).

Resources are named by their logical id on both sides (`bench.arns`): a table's ARN is
`arn:aws:dynamodb:us-east-1:123456789012:table/OperationsTable` whatever moto or CloudFormation
called it, so a mismatch reads as the template does.

`check` reports a call no grant allows (missing) and a grant no call used (excess), unless the
grant is in an explicit list of what is needed although no local run can show it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bench.arns import short
from bench.grants import Grant


@dataclass(frozen=True, order=True)
class Call:
    function: str
    action: str  # e.g. dynamodb:GetItem
    resource: str  # an ARN naming the logical resource, or "*" when the request names none


@dataclass(frozen=True)
class Allowance:
    """A grant that no local run can exercise but the function needs; `reason` says why."""

    function: str  # a logical id, or "*" for every function
    action: str  # matched against the grant's action pattern, exactly
    resource: str
    reason: str

    def covers(self, grant: Grant) -> bool:
        return (
            self.function in ("*", grant.function)
            and self.action == grant.action
            and self.resource == grant.resource
        )


def _pattern(glob: str, *, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in glob
    )
    return re.compile(regex, re.IGNORECASE if ignore_case else 0)


def allows(grant: Grant, call: Call) -> bool:
    """IAM's matching: actions ignore case, resources do not; `*` and `?` are wildcards."""
    return (
        grant.function == call.function
        and _pattern(grant.action, ignore_case=True).fullmatch(call.action) is not None
        and _pattern(grant.resource, ignore_case=False).fullmatch(call.resource) is not None
    )


@dataclass
class Findings:
    missing: list[str]
    excess: list[str]
    stale_allowances: list[str]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.excess or self.stale_allowances)

    def report(self) -> str:
        parts = []
        if self.missing:
            parts.append("Missing permissions (a recorded call its role does not allow):")
            parts += [f"  - {line}" for line in self.missing]
        if self.excess:
            parts.append(
                "Excess permissions (allowed, but no recorded run called it; remove it from "
                "template.yaml, or allow it in tests with a reason):"
            )
            parts += [f"  - {line}" for line in self.excess]
        if self.stale_allowances:
            parts.append(
                "Stale allowances (the check allows what is no longer granted or is now called):"
            )
            parts += [f"  - {line}" for line in self.stale_allowances]
        return "\n".join(parts)


def check(
    calls: Iterable[Call], granted: Iterable[Grant], allowances: Iterable[Allowance] = ()
) -> Findings:
    calls = sorted(set(calls))
    granted = sorted(set(granted))
    allowances = list(allowances)
    missing = [
        f"{call.function} calls {call.action} on {short(call.resource)} ({call.resource})"
        for call in calls
        if not any(allows(grant, call) for grant in granted)
    ]
    excess = []
    needed: set[int] = set()  # allowances that cover a grant no call used
    called: set[int] = set()  # allowances that cover a grant a call used: not needed any more
    for grant in granted:
        covering = {n for n, allowance in enumerate(allowances) if allowance.covers(grant)}
        if any(allows(grant, call) for call in calls):
            called |= covering
        elif covering:
            needed |= covering
        else:
            excess.append(
                f"{grant.function} may {grant.action} on {short(grant.resource)} "
                f"({grant.resource}; {grant.source}), but no recorded call needed it"
            )
    stale = [
        f"{allowance.function} {allowance.action} on {short(allowance.resource)}: "
        + ("a recorded call uses it now" if number in called else "nothing grants it")
        for number, allowance in enumerate(allowances)
        if number in called or number not in needed
    ]
    return Findings(missing, excess, stale)
