"""``session diff S RUN_A RUN_B``: what changed between two runs of the same step.

Written for a consultant's question after a re-run: which projects did the app lose or
gain (an app update resets permitted projects), which levels changed, which findings are
new and which are gone, which checklist items moved. Manifests are compared with the
manifest differ (added, removed, raised, lowered).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dmsa_migrate.engagement.history import run_output
from dmsa_migrate.errors import InputError
from dmsa_migrate.fileio import parse_json, read_text
from dmsa_migrate.models.run import RunRecord
from dmsa_migrate.models.session import Session
from dmsa_migrate.models.verification import UNREAD_CODE
from dmsa_migrate.sessions import SessionStore

MAIN_OUTPUT = {
    "inventory": "inventory.json", "manifest": "manifest.json",
    "verify": "verification.json", "checklist": "checklist.json",
}


@dataclass
class RunDiff:
    """The changes from run ``old`` to run ``new``: one line per change, by section."""

    old: str
    new: str
    kind: str
    sections: dict[str, list[str]] = field(default_factory=dict)

    def add(self, section: str, line: str) -> None:
        self.sections.setdefault(section, []).append(line)

    @property
    def changed(self) -> bool:
        return any(self.sections.values())

    def as_json(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "step": self.kind, "changes": self.sections}

    def render(self) -> str:
        lines = [f"{self.kind}: run {self.old} → run {self.new}"]
        for section, entries in self.sections.items():
            lines.append(f"{section}:")
            lines.extend(f"  {entry}" for entry in entries)
        if not self.changed:
            lines.append("no changes")
        return "\n".join(lines)


def diff_runs(store: SessionStore, session: Session, old: RunRecord, new: RunRecord) -> RunDiff:
    """Compare two runs of one step kind.

    Raises:
        InputError: the runs are of different steps, or one has no output to compare.
    """
    if old.kind != new.kind:
        raise InputError(
            f"run {old.id} is a {old.kind} run and {new.id} a {new.kind} run; compare two "
            "runs of the same step"
        )
    name = MAIN_OUTPUT.get(old.kind)
    if name is None:
        raise InputError(f"runs of step kind '{old.kind}' have no output to compare")
    old_path = run_output(store, session, old, name)
    new_path = run_output(store, session, new, name)
    result = RunDiff(old.id, new.id, old.kind)
    if old.kind == "manifest":
        _manifest(result, old_path, new_path)
        return result
    before, after = _load(old_path), _load(new_path)
    {"inventory": _inventory, "verify": _verification, "checklist": _checklist}[old.kind](
        result, before, after
    )
    return result


def _load(path: Any) -> dict[str, Any]:
    data = parse_json(read_text(path), str(path))  # names the file and line when bad
    return data if isinstance(data, dict) else {}


def _ids(values: Any) -> set[int]:
    return {v for v in values or [] if isinstance(v, int)}


def _by_id(entries: Any) -> dict[int, dict[str, Any]]:
    return {
        e["id"]: e for e in entries or [] if isinstance(e, dict) and isinstance(e.get("id"), int)
    }


def _list(values: set[int]) -> str:
    return ", ".join(str(v) for v in sorted(values))


def _projects(diff: RunDiff, section: str, company: int, old: set[int], new: set[int]) -> None:
    if old - new:
        diff.add(section, f"company {company}: lost {_list(old - new)}")
    if new - old:
        diff.add(section, f"company {company}: gained {_list(new - old)}")


def _levels(diff: RunDiff, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    for tool in sorted(set(old) | set(new)):
        if old.get(tool) != new.get(tool):
            diff.add("levels changed",
                     f"{where} {tool}: {old.get(tool) or '-'} -> {new.get(tool) or '-'}")


def _verification(diff: RunDiff, old: dict[str, Any], new: dict[str, Any]) -> None:
    before, after = _by_id(old.get("companies")), _by_id(new.get("companies"))
    for company in sorted(set(before) | set(after)):
        a, b = before.get(company, {}), after.get(company, {})
        if _unread(diff, company, a, b):
            continue
        if a.get("status") != b.get("status"):
            diff.add("install status", f"company {company}: {a.get('status', '-')} -> "
                     f"{b.get('status', '-')}")
        _projects(diff, "permitted projects", company, _ids(a.get("matched_projects")) |
                  _ids(a.get("extra_projects")), _ids(b.get("matched_projects")) |
                  _ids(b.get("extra_projects")))
        _projects(diff, "missing projects", company, _ids(a.get("missing_projects")),
                  _ids(b.get("missing_projects")))
        _levels(diff, f"company {company}", _gaps(a), _gaps(b))
        _findings(diff, company, a.get("findings"), b.get("findings"))
    if old.get("ok") != new.get("ok"):
        diff.add("verdict", f"{'ok' if old.get('ok') else 'gaps'} -> "
                 f"{'ok' if new.get('ok') else 'gaps'}")


def _unread_reason(company: dict[str, Any]) -> str:
    for finding in company.get("findings") or []:
        if isinstance(finding, dict) and finding.get("code") == UNREAD_CODE:
            return str(finding.get("message") or "unread")
    return ""


def _unread(diff: RunDiff, company: int, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A company one of the runs could not read is reported as unread, with the reason;
    its empty lists are never compared (they would read as every project lost or gained).
    True when the company was unread in either run."""
    before, after = _unread_reason(old), _unread_reason(new)
    if after:
        diff.add("unread", f"company {company}: unread in run {diff.new} ({after})")
    elif before:
        diff.add("unread", f"company {company}: unread in run {diff.old} ({before}), read "
                 f"in run {diff.new}")
    return bool(before or after)


def _gaps(company: dict[str, Any]) -> dict[str, str]:
    """``scope.tool`` → ``granted (needs needed)`` of each permission gap."""
    return {
        f"{g.get('scope')}.{g.get('tool')}": f"{g.get('granted')} (needs {g.get('needed')})"
        for g in company.get("permission_gaps") or [] if isinstance(g, dict)
    }


def _findings(diff: RunDiff, company: int, old: Any, new: Any) -> None:
    def keyed(entries: Any) -> dict[str, str]:
        return {
            str(f.get("code")): f"[{f.get('code')}] {f.get('message', '')}"
            for f in entries or [] if isinstance(f, dict)
        }

    a, b = keyed(old), keyed(new)
    for code in sorted(set(b) - set(a)):
        diff.add("findings new", f"company {company}: {b[code]}")
    for code in sorted(set(a) - set(b)):
        diff.add("findings gone", f"company {company}: {a[code]}")


def _inventory(diff: RunDiff, old: dict[str, Any], new: dict[str, Any]) -> None:
    def access(data: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
        found = {}
        for account in data.get("accounts") or []:
            for company in (account.get("companies") or []) if isinstance(account, dict) else []:
                if isinstance(company, dict) and isinstance(company.get("id"), int):
                    found[(str(account.get("label")), company["id"])] = company
        return found

    before, after = access(old), access(new)
    for key in sorted(set(before) | set(after)):
        label, company = key
        a, b = before.get(key, {}), after.get(key, {})
        projects_a = _by_id(a.get("projects"))
        projects_b = _by_id(b.get("projects"))
        _projects(diff, f"projects of {label}", company, set(projects_a), set(projects_b))
        _levels(diff, f"{label} company {company}", a.get("permissions") or {},
                b.get("permissions") or {})
    statuses = {str(a.get("label")): a.get("status") for a in old.get("accounts") or []}
    for account in new.get("accounts") or []:
        label = str(account.get("label"))
        if label in statuses and statuses[label] != account.get("status"):
            diff.add("account status", f"{label}: {statuses[label]} -> {account.get('status')}")


def _checklist(diff: RunDiff, old: dict[str, Any], new: dict[str, Any]) -> None:
    def rows(data: dict[str, Any]) -> dict[tuple[int, str], str]:
        return {
            (int(r.get("company_id", 0)), str(r.get("item_id"))): str(r.get("status"))
            for r in data.get("items") or [] if isinstance(r, dict)
        }

    a, b = rows(old), rows(new)
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            company, item = key
            diff.add("items", f"company {company} {item}: {a.get(key, '-')} -> {b.get(key, '-')}")


def _manifest(diff: RunDiff, old_path: Any, new_path: Any) -> None:
    from dmsa_migrate.manifest.diff import diff_files

    result = diff_files(old_path, new_path)
    for change in result.changes:
        diff.add(f"permissions {change.change}",
                 f"{change.scope}.{change.tool}: {change.old or '-'} -> {change.new or '-'}")
