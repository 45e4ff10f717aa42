"""The fleet verification as a JUnit XML report, one test case per company.

Why: an ISV re-verifies every installed company after each app update, usually from CI
(GitHub Actions, GitLab, Jenkins, Azure DevOps). Those show JUnit reports natively: each
company becomes a line that passes or fails, with the reason, and the job's history shows
when a company started failing. The report is built from the fleet summary's rows
(:class:`~dmsa_migrate.verify.fleet.FleetRow`), so it says what the summary says:

* ``failure``: the company has permission gaps, errors (not installed, disconnected, a
  needed level missing …) or projects lost since the last run;
* ``error``: the company could not be read (Procore or the network failed), so nothing
  is known of it;
* otherwise the case passes.

Company names come from Procore: they are untrusted and may hold characters XML 1.0
cannot carry, so control characters are replaced and markup is escaped by ElementTree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from dmsa_migrate.textsafe import control_free
from dmsa_migrate.verify.fleet import FleetRow

SUITE_NAME = "dmsa-migrate verify"


def fleet_junit(rows: Sequence[FleetRow], generated_at: str) -> str:
    """The JUnit XML text (one ``testsuite`` inside ``testsuites``)."""
    failures = sum(_failure(row) is not None for row in rows if not row.unread_reason)
    errors = sum(bool(row.unread_reason) for row in rows)
    counts = {"tests": str(len(rows)), "failures": str(failures), "errors": str(errors),
              "skipped": "0"}
    suites = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ET.SubElement(suites, "testsuite", {
        "name": SUITE_NAME, "timestamp": generated_at, **counts})
    for row in rows:
        _case(suite, row)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _case(suite: ET.Element, row: FleetRow) -> None:
    case = ET.SubElement(suite, "testcase", {
        "classname": "company", "name": _text(f"{row.company} ({row.company_id})")})
    if row.unread_reason:
        ET.SubElement(case, "error", {
            "type": "unread", "message": _text(f"not read: {row.unread_reason}")})
    else:
        failure = _failure(row)
        if failure is not None:
            ET.SubElement(case, "failure", {"type": row.install_status,
                                            "message": _text(failure)})
    out = ET.SubElement(case, "system-out")
    out.text = _text(
        f"install status: {row.install_status}; permitted projects: "
        f"{row.permitted_projects}; old projects: {row.old_projects}; lost since the last "
        f"run: {row.lost_since_last_run}; permission gaps: {row.permission_gaps}; "
        f"errors: {row.errors}")


def _failure(row: FleetRow) -> str | None:
    """Why the company fails, or None when it passes."""
    reasons = []
    if row.errors:
        reasons.append(f"{row.errors} error(s) (install status: {row.install_status})")
    if row.permission_gaps:
        reasons.append(f"{row.permission_gaps} permission gap(s)")
    if row.lost_since_last_run:
        reasons.append(f"{row.lost_since_last_run} project(s) lost since the last run")
    return "; ".join(reasons) or None


_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """Text XML 1.0 can carry: control characters (bar tab and newline) shown as ``\\xNN``,
    surrogates and the two non-characters XML forbids as U+FFFD."""
    return _NOT_XML.sub("\ufffd", control_free(value))
