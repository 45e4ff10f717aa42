"""What one source of evidence says about one old account, before merging.

Each collector (live probe, directory reconstruction) returns these plain records tagged
with its source; :mod:`.merge` folds them into the contract model, keeping every source of
every fact and recording where sources disagree instead of picking one silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmsa_migrate.models.common import Level, Source


@dataclass
class ProjectSeen:
    """A project as one source saw it. ``permissions`` None: this source cannot tell."""

    id: int
    name: str = ""
    active: bool = True
    permissions: dict[str, Level] | None = None
    assigned: bool | None = None


@dataclass
class CompanySeen:
    """A company as one source saw it.

    ``projects_complete``: the source listed every project the account reaches there, so a
    project missing from it is a real disagreement with another source.
    """

    source: Source
    id: int
    name: str = ""
    permissions: dict[str, Level] | None = None
    projects: list[ProjectSeen] = field(default_factory=list)
    projects_complete: bool = True
    directory_admin: bool | None = None
    add_to_new_projects: bool | None = None


@dataclass
class UserSeen:
    """The old account's Directory user as one source saw it."""

    source: Source
    id: int
    name: str = ""
    login: str = ""


@dataclass
class Candidate:
    """A company user that may be the old account, with the evidence for it."""

    id: int
    name: str
    login: str
    score: int
    reasons: list[str]


@dataclass
class AccountEvidence:
    """Everything collected for one account, from all sources."""

    label: str
    client_id: str
    status: str = "unverified"
    status_reason: str = ""
    status_detail: str = ""
    users: list[UserSeen] = field(default_factory=list)
    companies: list[CompanySeen] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    extra_sources: set[Source] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    incomplete: bool = False
