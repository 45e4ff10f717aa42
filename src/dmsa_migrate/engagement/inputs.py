"""The inputs a session keeps besides ``session.toml``: its accounts file and its evidence.

Why here: every door reads them the same way. The TUI imports an Activity Report or scans
a folder into ``evidence.json``; ``inventory --session`` then uses that evidence without
being told again, and a ``--activity``/``--scan`` flag adds to it for one run only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import atomic_write_json, parse_json, read_text
from dmsa_migrate.models.inventory import UsageEntry
from dmsa_migrate.models.session import Session

EVIDENCE_FILE = "evidence.json"
"""Offline evidence imported for a session (activity reports, code scan), in its folder."""


def accounts_path(folder: Path, session: Session) -> Path | None:
    """The session's accounts file (a relative path is inside the session folder)."""
    name = session.credentials.accounts_file
    if not name:
        return None
    path = Path(name).expanduser()
    return path if path.is_absolute() else folder / path


def typed_accounts_path(path: str) -> str:
    """An accounts file a person typed (``session new --accounts``, the new-session form),
    made absolute: a relative path stored in the session means one inside its own folder
    (where an imported file is copied), not one beside the shell that typed it."""
    return str(Path(path).expanduser().absolute()) if path else ""


@dataclass
class OfflineEvidence:
    """Activity reports and a code scan imported for a session."""

    activity: dict[str, list[UsageEntry]] = field(default_factory=dict)
    scan_root: str = ""
    scan_usage: list[UsageEntry] = field(default_factory=list)
    scan_secrets: int = 0
    client_id_locations: dict[str, list[str]] = field(default_factory=dict)

    def usage(self) -> list[UsageEntry]:
        """Every usage entry, activity first."""
        return [entry for entries in self.activity.values() for entry in entries] + list(
            self.scan_usage
        )


def evidence_path(folder: Path) -> Path:
    """Where a session keeps its offline evidence."""
    return folder / EVIDENCE_FILE


def load_evidence(folder: Path) -> OfflineEvidence:
    """Read ``evidence.json`` of the session folder (empty when absent)."""
    path = evidence_path(folder)
    if not path.exists():
        return OfflineEvidence()
    data = parse_json(read_text(path), str(path))
    if not isinstance(data, dict):
        raise FileFormatError(str(path), "expected a JSON object")
    try:
        return OfflineEvidence(
            activity={
                str(name): [UsageEntry.model_validate(e) for e in entries]
                for name, entries in data.get("activity", {}).items()
            },
            scan_root=str(data.get("scan_root", "")),
            scan_usage=[UsageEntry.model_validate(e) for e in data.get("scan_usage", [])],
            scan_secrets=int(data.get("scan_secrets", 0)),
            client_id_locations=dict(data.get("client_id_locations", {})),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        raise FileFormatError(str(path), f"not a valid evidence file: {exc}") from None


def save_evidence(folder: Path, evidence: OfflineEvidence) -> None:
    """Write ``evidence.json`` (usage entries and client-id digests: no secret)."""
    atomic_write_json(
        evidence_path(folder),
        {
            "activity": {
                name: [e.model_dump(mode="json") for e in entries]
                for name, entries in evidence.activity.items()
            },
            "scan_root": evidence.scan_root,
            "scan_usage": [e.model_dump(mode="json") for e in evidence.scan_usage],
            "scan_secrets": evidence.scan_secrets,
            "client_id_locations": evidence.client_id_locations,
        },
    )


def import_activity_into(folder: Path, path: str) -> OfflineEvidence:
    """Add an API Call Activity Report CSV to the session's evidence."""
    from dmsa_migrate.inventory.activity import read_activity_report

    entries = read_activity_report(Path(path).expanduser())
    evidence = load_evidence(folder)
    evidence.activity[Path(path).name] = entries
    save_evidence(folder, evidence)
    return evidence


def scan_into(folder: Path, path: str) -> OfflineEvidence:
    """Scan the integration's source tree; keep usage and client-id digests only."""
    from dmsa_migrate.inventory.scan import scan_tree

    outcome = scan_tree(Path(path).expanduser())
    evidence = load_evidence(folder)
    evidence.scan_root = str(path)
    evidence.scan_usage = list(outcome.report.usage)
    evidence.scan_secrets = len(outcome.report.secrets)
    evidence.client_id_locations = outcome.client_id_locations
    save_evidence(folder, evidence)
    return evidence
