"""``dmsa-migrate scan``: Procore credentials and Procore endpoints in a source tree.

:func:`scan_tree` walks the tree (:mod:`.walk`), finds credentials (:mod:`.secrets`) and
endpoint calls (:mod:`.endpoints`), names each endpoint through the permission map, and
returns a :class:`~dmsa_migrate.models.scan.ScanReport` that holds no secret value. Client
ids found are also returned as sha256 digests so the inventory can tell which account's
credentials are still in the code without keeping the ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import parse_json, read_text
from dmsa_migrate.inventory.scan.endpoints import find_endpoints
from dmsa_migrate.inventory.scan.secrets import find_secrets, fingerprint, redacted_form
from dmsa_migrate.inventory.scan.walk import CODE_SUFFIXES, list_files, read_source
from dmsa_migrate.models.inventory import UsageEntry
from dmsa_migrate.models.scan import Baseline, EndpointFinding, ScanReport, SecretFinding
from dmsa_migrate.permissions.map import PermissionMap, build_map
from dmsa_migrate.secrets import REDACTOR

ScanProgress = Callable[[int, int, str], None]
"""``(files done, files total, current file)``."""

__all__ = ["ScanOutcome", "load_baseline", "scan_tree"]


@dataclass
class ScanOutcome:
    """The report, plus digests of the client ids found (for matching accounts)."""

    report: ScanReport
    client_id_locations: dict[str, list[str]] = field(default_factory=dict)


def load_baseline(path: Path | str) -> set[str]:
    """Fingerprints accepted by a baseline file, or by an earlier scan report (JSON)."""
    source = str(path)
    text = read_text(path)
    data = parse_json(text, source)
    if isinstance(data, dict) and isinstance(data.get("secrets"), list):
        return {str(item.get("fingerprint")) for item in data["secrets"] if isinstance(item, dict)}
    try:
        baseline = Baseline.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "(top level)"
        raise FileFormatError(source, f"{where}: {first.get('msg')} (not a scan baseline)") from exc
    return set(baseline.fingerprints)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def scan_tree(
    root: Path | str,
    *,
    baseline: Iterable[str] = (),
    permission_map: PermissionMap | None = None,
    on_progress: ScanProgress | None = None,
) -> ScanOutcome:
    """Scan ``root`` (a folder or one file)."""
    base = Path(root)
    if not base.exists():
        raise FileFormatError(str(base), "no such file or folder")
    accepted = set(baseline)
    names = permission_map or build_map(include_user_files=True)
    files, skipped = list_files(base)
    report = ScanReport(root=str(base), files_skipped=skipped)
    outcome = ScanOutcome(report)
    for number, path in enumerate(files, start=1):
        relative = path.name if base.is_file() else path.relative_to(base).as_posix()
        if on_progress is not None:
            on_progress(number - 1, len(files), relative)
        text = read_source(path)
        if text is None:
            report.files_skipped += 1
            continue
        report.files_scanned += 1
        _secrets(text, relative, path.suffix.lower() in CODE_SUFFIXES, accepted, outcome)
        _endpoints(text, relative, names, report)
    if on_progress is not None:
        on_progress(len(files), len(files), "")
    report.usage = _usage(report.endpoints)
    return outcome


def _secrets(
    text: str, relative: str, code: bool, accepted: set[str], outcome: ScanOutcome
) -> None:
    report = outcome.report
    raws, ignored = find_secrets(text, relative, code=code)
    report.ignored += ignored
    for raw in raws:
        if raw.kind != "client_id":
            REDACTOR.add(raw.value)  # never printed, even by accident in an error
        print_id = fingerprint(relative, raw.kind, raw.value)
        finding = SecretFinding(
            fingerprint=print_id,
            kind=raw.kind,
            file=relative,
            line=raw.line,
            key=raw.key,
            redacted=redacted_form(raw.kind, raw.value),
            length=len(raw.value),
            rule=raw.rule,
            baselined=print_id in accepted,
        )
        if finding.baselined:
            report.baselined += 1
        report.secrets.append(finding)
        if raw.kind == "client_id":
            outcome.client_id_locations.setdefault(_digest(raw.value), []).append(
                f"{relative}:{raw.line}"
            )


def _endpoints(text: str, relative: str, names: PermissionMap, report: ScanReport) -> None:
    for raw in find_endpoints(text):
        explained = names.explain(raw.method, raw.path)
        report.endpoints.append(
            EndpointFinding(
                method=raw.method,
                method_inferred=raw.method_inferred,
                template=explained.template,
                file=relative,
                line=raw.line,
                known=explained.known,
                tool=explained.tool,
                scope=explained.scope,
                level=explained.level,
                deprecated=explained.deprecated or raw.path.startswith("/vapid"),
            )
        )


def _usage(endpoints: list[EndpointFinding]) -> list[UsageEntry]:
    """One usage entry per method and template, with every call site."""
    grouped: dict[tuple[str, str], UsageEntry] = {}
    for finding in endpoints:
        key = (finding.method, finding.template)
        where = f"{finding.file}:{finding.line}"
        if key not in grouped:
            grouped[key] = UsageEntry(
                method=finding.method, template=finding.template, source=f"scan:{where}",
                deprecated=finding.deprecated,
            )
        grouped[key].locations.append(where)
    return list(grouped.values())
