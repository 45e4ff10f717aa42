"""``dmsa-migrate scan``: Procore credentials and Procore endpoints in a source tree.

:func:`scan_tree` walks the tree (:mod:`.walk`), finds credentials (:mod:`.secrets`),
parses every file a tree-sitter grammar reads and resolves its HTTP call sites across the
whole tree (:mod:`.code`), falls back to line patterns for the other files
(:mod:`.endpoints`), names each endpoint through the permission map, and
returns a :class:`~dmsa_migrate.models.scan.ScanReport` that holds no secret value. Client
ids found are also returned as sha256 digests so the inventory can tell which account's
credentials are still in the code without keeping the ids.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import parse_json, read_text
from dmsa_migrate.inventory.scan.code import find_code_endpoints, operation_key, parse_file
from dmsa_migrate.inventory.scan.endpoints import find_endpoints
from dmsa_migrate.inventory.scan.languages import language_for
from dmsa_migrate.inventory.scan.secrets import find_secrets, fingerprint, redacted_form
from dmsa_migrate.inventory.scan.syntax import FileFacts
from dmsa_migrate.inventory.scan.walk import CODE_SUFFIXES, is_test_path, list_files, read_source
from dmsa_migrate.models.inventory import UsageEntry
from dmsa_migrate.models.permissions import RouteExplanation
from dmsa_migrate.models.scan import (
    Baseline,
    BlindSpot,
    Coverage,
    EndpointFinding,
    ScanReport,
    SecretFinding,
)
from dmsa_migrate.permissions.map import PermissionMap, build_map
from dmsa_migrate.permissions.unknown_method import UNKNOWN_METHOD, explain_call
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
    include_tests: bool = False,
) -> ScanOutcome:
    """Scan ``root`` (a folder or one file).

    ``include_tests``: let calls found in test and mock files count as the integration's
    usage (they are always reported, as ``evidence: test``).
    """
    base = Path(root)
    if not base.exists():
        raise FileFormatError(str(base), "no such file or folder")
    if not (base.is_dir() or base.is_file()):  # /dev/zero, a FIFO: nothing to scan
        raise FileFormatError(
            str(base), "the scan reads a folder or a regular file, not a device, FIFO or socket"
        )
    accepted = set(baseline)
    names = permission_map or build_map(include_user_files=True)
    explain: Explain = cache(partial(explain_call, names))
    files, skipped = list_files(base)
    single = base.is_file()
    report = ScanReport(root=str(base), files_skipped=skipped, tests_counted=include_tests)
    outcome = ScanOutcome(report)
    parsed: list[FileFacts] = []
    for number, path in enumerate(files, start=1):
        relative = path.name if single else path.relative_to(base).as_posix()
        if on_progress is not None:
            on_progress(number - 1, len(files), relative)
        text = read_source(path)
        if text is None:
            report.files_skipped += 1
            continue
        report.files_scanned += 1
        _secrets(text, relative, path.suffix.lower() in CODE_SUFFIXES, accepted, outcome)
        language = language_for(path.suffix)
        facts = None
        if language is not None:
            facts = parse_file(len(parsed), relative, language, text, is_test_path(relative))
        if facts is not None:
            parsed.append(facts)
        elif path.suffix.lower() in CODE_SUFFIXES or single:  # one file: the user's pick
            _line_endpoints(text, relative, explain, report)
    _code_endpoints(parsed, names, explain, report)
    if on_progress is not None:
        on_progress(len(files), len(files), "")
    report.usage = _usage(
        [e for e in report.endpoints if include_tests or e.evidence == "code"]
    )
    return outcome


def api_roots(names: PermissionMap) -> set[str]:
    """First words of Procore API paths (``projects``, ``companies``, ``me`` …), from the
    permission map: what a relative path must start with to count as Procore's."""
    roots = {"projects", "companies", "me", "users", "vendors", "folders", "files"}
    for layer in names.layers:
        for route in layer.data.routes:
            words = [word for word in route.path.split("/") if word]
            if words and not words[0].startswith("{") and words[0] != "oauth":
                roots.add(words[0])
    return roots


def _code_endpoints(
    parsed: list[FileFacts], names: PermissionMap, explain: Explain, report: ScanReport
) -> None:
    roots = api_roots(names)
    wildcards = [root for root in roots if "*" in root]
    exact = {root for root in roots if "*" not in root}
    exact.update(_matching_words(parsed, wildcards))
    scanned = find_code_endpoints(parsed, exact, _operations_by_key(names))
    for found in scanned.endpoints:
        report.endpoints.append(_finding(
            explain, found.method, found.path, found.file, found.line,
            found_by=found.found_by, confidence=found.confidence,
            method_source=found.method_from, evidence="test" if found.test else "code",
            via=found.via,
        ))
    report.blind_spots = [
        BlindSpot(file=spot.file, line=spot.line, call=spot.call, reason=spot.reason)
        for spot in scanned.blind_spots if not spot.test
    ]
    report.coverage = Coverage(call_sites=scanned.call_sites, resolved=scanned.resolved)


def _operations_by_key(names: PermissionMap) -> dict[str, tuple[str, str]]:
    """Every operation of the map's catalog by the generated-method key
    (:func:`~.code.operation_key`) of its operation id and of its path and method (a
    generator names methods after the id, or after the path and method without one)."""
    operations: dict[str, tuple[str, str]] = {}
    for entry in names.operations.entries():
        if entry.path.startswith("/oauth"):
            continue
        for name in (entry.operation, entry.path + entry.method):
            if name:
                operations.setdefault(operation_key(name), (entry.method.upper(), entry.path))
    return operations


def _matching_words(parsed: list[FileFacts], patterns: list[str]) -> set[str]:
    """Words of the tree's strings that match a wildcard root (``change_event_*``)."""
    if not patterns:
        return set()
    words: set[str] = set()
    for facts in parsed:
        for literal in facts.literals:
            for word in literal.split("/"):
                if word and any(fnmatch.fnmatchcase(word, p) for p in patterns):
                    words.add(word)
    return words


Explain = Callable[[str, str], RouteExplanation]
"""``explain_call`` bound to one map and remembered: a large tree asks the same path often."""


def _finding(explain: Explain, method: str, path: str, file: str, line: int,
             **extra: Any) -> EndpointFinding:
    explained = explain(method, path)
    return EndpointFinding(
        method=method,
        method_inferred=method != UNKNOWN_METHOD,
        template=explained.template,
        file=file,
        line=line,
        known=explained.known,
        tool=explained.tool,
        scope=explained.scope,
        level=explained.level,
        deprecated=explained.deprecated or path.startswith("/vapid"),
        **extra,
    )


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


def _line_endpoints(text: str, relative: str, explain: Explain, report: ScanReport) -> None:
    """Files no parser reads: line patterns (shell scripts, Kotlin, Swift …)."""
    evidence = "test" if is_test_path(relative) else "code"
    for raw in find_endpoints(text):
        report.endpoints.append(_finding(
            explain, raw.method, raw.path, relative, raw.line, found_by="line",
            confidence="medium" if raw.method_inferred else "low",
            method_source="line" if raw.method_inferred else "unknown", evidence=evidence,
        ))


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
