"""``verify --replay USAGE``: ask Procore itself whether the DMSA may make every read.

The rest of verify compares levels: what the app was granted against what the old access
or the manifest says is needed. That rests on a permission map that may be wrong. Replay
takes the map out of the question: in each company where the app is installed, it sends
each read-only operation the integration is known to use (from the scan, the Activity
Report or a recording) once, in one permitted project, with the DMSA's own token. Every 403
is a permission gap proven by Procore; every 2xx is a read Procore allows.

Safety rules, each deliberate:

* reads only: a ``GET``, never anything else (a POST that reads, such as "List Budget
  Details", is not sent: the method alone cannot prove it changes nothing);
* once per operation and company, in one project, through the same paced client as the
  rest of verify, so the rate limits are honoured (429s wait and retry there), one call at
  a time;
* opt-in: nothing here runs unless ``--replay`` names usage evidence.

A path placeholder other than ``{company_id}``/``{project_id}`` (``{id}``, ``{rfi_id}``)
needs a real id: the parent collection is read once with ``per_page=1`` and its first item
gives it. With nothing listed there the call is skipped, and the report says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from dmsa_migrate.errors import (
    ApiError,
    AppNotConnectedError,
    BadRequestError,
    CredentialsRejectedError,
    ForbiddenError,
    NotFoundError,
)
from dmsa_migrate.models.inventory import UsageEntry
from dmsa_migrate.models.verification import (
    CompanyVerification,
    ReplayOutcome,
    ReplayRead,
    Verification,
)
from dmsa_migrate.procore import ClientCredentials, ClientFactory, ProcoreClient
from dmsa_migrate.verify.findings import REPLAY_FORBIDDEN, finding

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def read_templates(usage: Iterable[UsageEntry]) -> list[str]:
    """The distinct ``GET`` templates on the API host, in first-seen order."""
    seen: dict[str, None] = {}
    for entry in usage:
        template = entry.template.split("?", 1)[0].rstrip("/")
        if entry.method.upper() == "GET" and template.startswith("/rest/"):
            seen.setdefault(template, None)
    return list(seen)


def project_query_templates(templates: Sequence[str]) -> frozenset[str]:
    """The templates the permission map reads as project-level whose path names no project:
    Procore takes their project as the ``project_id`` query parameter."""
    unscoped = [t for t in templates if "{project_id}" not in t and "/projects/{" not in t]
    if not unscoped:
        return frozenset()
    from dmsa_migrate.permissions.map import build_map

    pmap = build_map()
    return frozenset(t for t in unscoped if pmap.explain("GET", t).scope == "project")


def replay_project(company: CompanyVerification) -> int | None:
    """The one permitted project replay reads in: the lowest active permitted project."""
    inactive = set(company.inactive_projects)
    active = sorted(p for p in company.permitted_projects if p not in inactive)
    return active[0] if active else min(company.permitted_projects, default=None)


def _outcome(exc: ApiError) -> ReplayOutcome:
    """A 403 is a proven gap, unless it is the install's own state (disconnected)."""
    if isinstance(exc, AppNotConnectedError):
        return "failed"
    if isinstance(exc, ForbiddenError):
        return "forbidden"
    if isinstance(exc, NotFoundError):
        return "not_found"
    return "failed"


class _Replayer:
    """The reads of one company, in one project, with the ids learnt on the way."""

    def __init__(
        self, client: ProcoreClient, company_id: int, project_id: int | None,
        project_query: frozenset[str] = frozenset(),
    ) -> None:
        self.client = client
        self.company_id = company_id
        self.project_id = project_id
        self.project_query = project_query
        self._ids: dict[str, int | None] = {}

    async def run(self, template: str) -> ReplayRead:
        path, why = await self._concrete(template)
        if path is None:
            return self._read_as(template, template, "skipped", None, why)
        # a project-level read whose path names no project takes it as a query
        # (GET /rest/v1.0/purchase_order_contracts?project_id=): sent at once, or the
        # company-wide call is refused and reads as a gap the app does not have
        first = (
            {"project_id": self.project_id}
            if template in self.project_query and self.project_id is not None else None
        )
        shown = f"{path}?project_id={self.project_id}" if first else path
        try:
            await self._get(path, first)
        except CredentialsRejectedError:
            raise
        except ApiError as exc:
            detail = exc.procore_message or ""
            return self._read_as(template, shown, _outcome(exc), exc.status, detail)
        return self._read_as(template, shown, "allowed", 200, "")

    def _read_as(
        self, template: str, path: str, outcome: ReplayOutcome, status: int | None, detail: str
    ) -> ReplayRead:
        return ReplayRead(
            template=template, path=path, project_id=self.project_id, outcome=outcome,
            status=status, detail=(detail or "")[:300],
        )

    async def _get(self, path: str, first: dict[str, Any] | None = None) -> Any:
        """One GET; a 400 (a scope parameter the path does not show) is retried once with
        ``project_id``, then once with ``company_id``: v1.0 routes take them as query.
        ``first``: the parameters the permission map says the read needs, tried first."""
        attempts: list[dict[str, Any]] = [first] if first else [{}]
        if self.project_id is not None and not first:
            attempts.append({"project_id": self.project_id})
        attempts.append({"company_id": self.company_id})
        for number, params in enumerate(attempts):
            try:
                return await self.client.get(
                    path, company_id=self.company_id, params={**params, "per_page": 1}
                )
            except BadRequestError:
                if number == len(attempts) - 1:
                    raise
        return None

    async def _concrete(self, template: str) -> tuple[str | None, str]:
        path = template
        for match in PLACEHOLDER.finditer(template):
            name = match.group(1)
            value: int | None
            if name == "company_id":
                value = self.company_id
            elif name == "project_id":
                value = self.project_id
                if value is None:
                    return None, "no permitted project to read in"
            else:
                parent = path[: path.index(match.group(0))].rstrip("/")
                value = await self._first_id(parent)
                if value is None:
                    return None, f"nothing listed at {parent} to give {{{name}}}"
            path = path.replace(match.group(0), str(value), 1)
        return path, ""

    async def _first_id(self, parent: str) -> int | None:
        if parent not in self._ids:
            try:
                body = await self._get(parent)
            except ApiError:
                body = None
            first = body[0] if isinstance(body, list) and body else None
            raw = str(first.get("id", "")) if isinstance(first, dict) else ""
            self._ids[parent] = int(raw) if raw.isdigit() else None
        return self._ids[parent]


async def replay_reads(
    client: ProcoreClient, companies: Sequence[CompanyVerification], usage: Iterable[UsageEntry]
) -> dict[int, list[ReplayRead]]:
    """Each installed company's replayed reads, by company id (one call at a time: a few
    reads a company stay far inside the spike window)."""
    templates = read_templates(usage)
    project_query = project_query_templates(templates)
    reads: dict[int, list[ReplayRead]] = {}
    for company in companies:
        if company.status != "installed":
            continue
        replayer = _Replayer(client, company.id, replay_project(company), project_query)
        reads[company.id] = [await replayer.run(template) for template in templates]
    return reads


def apply_replay(verification: Verification, reads: dict[int, list[ReplayRead]]) -> Verification:
    """The verification with each company's ``replay`` list, and a ``replay_forbidden``
    error where Procore refused reads (any error makes the verification not ``ok``)."""
    companies = []
    for company in verification.companies:
        replayed = reads.get(company.id)
        if replayed is None:
            companies.append(company)
            continue
        update: dict[str, Any] = {"replay": replayed}
        refused = [read for read in replayed if read.outcome == "forbidden"]
        if refused:
            listed = ", ".join(sorted({read.template for read in refused}))
            projects = {read.project_id for read in refused if read.project_id is not None}
            message = f"Procore answered 403 to {len(refused)} read(s): {listed}"
            update["findings"] = [
                *company.findings, finding(REPLAY_FORBIDDEN, message, sorted(projects))
            ]
        companies.append(company.model_copy(update=update))
    refused_any = any(r.outcome == "forbidden" for rs in reads.values() for r in rs)
    return verification.model_copy(
        update={"companies": companies, "ok": verification.ok and not refused_any}
    )


async def replay_install(
    connection: ClientFactory,
    credentials: ClientCredentials,
    verification: Verification,
    usage: Iterable[UsageEntry],
) -> Verification:
    """Replay the usage's reads with the DMSA's token and fold the answers into
    ``verification`` (its ``requests`` count grows by the reads sent)."""
    async with connection.client(credentials) as client:
        reads = await replay_reads(client, verification.companies, usage)
    sent = sum(1 for rs in reads.values() for r in rs if r.outcome != "skipped")
    replayed = apply_replay(verification, reads)
    return replayed.model_copy(update={"requests": replayed.requests + sent})
