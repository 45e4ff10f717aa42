"""Lower bounds: the fewest requests a correct run can make, and the least time it can take.

Derivation (docs/performance.md explains it in words). ``P`` is the largest page size the
server grants (``limits.max_per_page``), ``⌈n⌉`` the pages of ``n`` items at ``P``.

Inventory, per old account of company ``c`` (``V`` projects it is a member of, ``N`` projects
in the company, ``T`` project templates, ``K'`` companies the Directory credential sees)::

    live      = 1 token + 1 /me + ⌈1⌉ companies + 1 company settings/permissions + ⌈V⌉ projects
    directory = ⌈K'⌉ companies (once per run)
                + 1 user record + 1 company template + ⌈N⌉ project_assignments + ⌈T⌉ templates

Verify, for ``K`` installed companies (``R`` permitted projects, ``H`` distinct hand-set
templates on the app's user)::

    1 token + ⌈K⌉ companies + per company (1 /me + 1 company settings/permissions + ⌈R⌉
    projects + 1 user record + ⌈N⌉ project_assignments + (1 + H) settings/permissions)

Every term reads a fact nothing else returns; no term is per project. Time: the spike
window is fixed (it starts at a bucket's first request), so ``n`` requests in one bucket
need at least ``(⌈n / spike⌉ − 1) × window`` seconds (the same for the hourly window), and
buckets run in parallel. Independently, the longest chain of requests that depend on each
other (a list's next page needs the previous page's ``Link``) costs one latency each.
The bound is the larger of the two.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from dmsa_migrate.emulator import World


def pages(items: int, per_page: int) -> int:
    """Requests to read a list of ``items`` (an empty list still costs one)."""
    return max(1, math.ceil(items / per_page))


@dataclass(frozen=True)
class CompanyShape:
    """What the bounds need to know about one company of the world."""

    id: int
    projects: int
    tsa_projects: int
    project_templates: int
    tsa_company_template: bool
    permitted: int
    hand_set_templates: int


def company_shapes(world: World) -> list[CompanyShape]:
    """Read every company's counts from the world's rows."""
    projects = Counter(p.company_id for p in world.projects)
    company_of = {p.id: p.company_id for p in world.projects}
    templates = Counter(t.company_id for t in world.templates if t.type == "project")
    tsa_users = {sa.user_id: sa.company_id for sa in world.service_accounts}
    dmsa_users = {i.user_id: i.company_id for i in world.installations}
    tsa_projects: Counter[int] = Counter()
    hand_set: dict[int, set[int]] = {}
    for m in world.memberships:
        if m.user_id in tsa_users:
            tsa_projects[tsa_users[m.user_id]] += 1
        if m.user_id in dmsa_users and m.template_id is not None:
            hand_set.setdefault(company_of[m.project_id], set()).add(m.template_id)
    records = {(d.user_id, d.company_id): d for d in world.directory}
    permitted = {i.company_id: len(i.permitted_projects) for i in world.installations}
    shapes = []
    for company in world.companies:
        tsa_user = next((u for u, c in tsa_users.items() if c == company.id), None)
        record = records.get((tsa_user, company.id)) if tsa_user is not None else None
        shapes.append(
            CompanyShape(
                id=company.id,
                projects=projects[company.id],
                tsa_projects=tsa_projects[company.id],
                project_templates=templates[company.id],
                tsa_company_template=bool(record and record.company_template_id),
                permitted=permitted.get(company.id, 0),
                hand_set_templates=len(hand_set.get(company.id, set())),
            )
        )
    return shapes


@dataclass
class Bound:
    """Minimum requests (with their split over rate-limit buckets) and chain depth."""

    requests: int
    buckets: list[int] = field(default_factory=list)
    depth: int = 0
    parts: dict[str, int] = field(default_factory=dict)


def inventory_bound(shapes: list[CompanyShape], per_page: int) -> Bound:
    """Lower bound of an inventory of one TSA per company, Directory read by one user token."""
    # 1 token + 1 /me + companies (one company: 1 page) + 1 settings + projects pages
    live_each = [2 + pages(1, per_page) + 1 + pages(s.tsa_projects, per_page) for s in shapes]
    directory = pages(len(shapes), per_page) + sum(
        1 + int(s.tsa_company_template) + pages(s.projects, per_page)
        + pages(s.project_templates, per_page)
        for s in shapes
    )
    # Buckets: each TSA token (its /rest/ calls: all but the token request) and the one
    # Directory user token (every Directory call of every company).
    buckets = [n - 1 for n in live_each] + [directory]
    depth = max(
        max(2 + pages(s.tsa_projects, per_page), 1 + pages(s.projects, per_page), 2)
        for s in shapes
    )
    return Bound(
        requests=sum(live_each) + directory,
        buckets=buckets,
        depth=depth,
        parts={"live": sum(live_each), "directory": directory},
    )


def verify_bound(shapes: list[CompanyShape], per_page: int) -> Bound:
    """Lower bound of a verification of every installed company with Directory read."""
    per_company = [
        2 + pages(s.permitted, per_page) + 1 + pages(s.projects, per_page)
        + 1 + s.hand_set_templates
        for s in shapes
    ]
    discovery = pages(len(shapes), per_page)
    buckets = list(per_company)
    if buckets:
        buckets[0] += discovery  # discovery is sent under the first company's header
    depth = 2 + max(
        max(3 + pages(s.projects, per_page) + int(s.hand_set_templates > 0),
            pages(s.permitted, per_page))
        for s in shapes
    )
    return Bound(
        requests=1 + discovery + sum(per_company),
        buckets=buckets,
        depth=depth,
        parts={"token": 1, "discovery": discovery, "companies": sum(per_company)},
    )


@dataclass(frozen=True)
class TimeBound:
    """The least wall time: rate windows, latency chain, and the larger of the two."""

    rate_s: float
    sustained_s: float
    latency_s: float

    @property
    def bound_s(self) -> float:
        return max(self.rate_s, self.latency_s)


def time_bound(
    buckets: list[int], depth: int, *, spike: int, window_s: float, hourly: int,
    hourly_window_s: float, latency_s: float,
) -> TimeBound:
    """Fixed-window rate bound per bucket (buckets in parallel), latency x chain depth, and
    for reference the sustained-rate figure ``requests ÷ (spike / window)`` per bucket."""
    def windows(n: int) -> float:
        spike_wait = (math.ceil(n / spike) - 1) * window_s if n else 0.0
        hourly_wait = (math.ceil(n / hourly) - 1) * hourly_window_s if n else 0.0
        return max(spike_wait, hourly_wait)

    rate = max((windows(n) for n in buckets), default=0.0)
    sustained = max((n / (spike / window_s) for n in buckets), default=0.0)
    return TimeBound(rate_s=rate + latency_s if rate else 0.0, sustained_s=sustained,
                     latency_s=depth * latency_s)
