"""One recorded step run of a session (``runs/<id>/run.json``).

Why a record per run: an engagement is re-run for weeks (a re-verification after every app
update, a manifest after an override), and "what did we check on the 3rd, against what,
with which tool" must have an answer. A run keeps the inputs it read with their digests,
where Procore was, the tool, permission-map and playbook versions, the flags that
overrode the session's values, the times, the outputs and the exit status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ConfigDict, Field

from dmsa_migrate.models.common import MAX_INT64, Bounded, ExitCode, OutputModel

RUN_SCHEMA = "dmsa-migrate/run/1"


class RunInput(OutputModel):
    """One input a run read: what it is, where it was, its sha256 (empty when not a file)."""

    role: str
    path: str = ""
    sha256: str = ""
    origin: str = Field(default="session", description="session (its own value) or flag")


class RunRecord(OutputModel):
    """The record of one run, written beside its outputs."""

    schema_: str = Field(default=RUN_SCHEMA, alias="schema")
    id: str
    number: Bounded = Field(ge=1, le=MAX_INT64)
    step: str
    kind: str
    actor: str = ""
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    tool_version: str = ""
    permission_map_version: str = ""
    playbook: str = ""
    playbook_sha256: str = ""
    environment: str = ""
    api_base: str = ""
    inputs: list[RunInput] = Field(default_factory=list)
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="flags that replaced the session's values"
    )
    outputs: list[str] = Field(default_factory=list, description="file names in the run folder")
    status: str = ""
    exit_code: ExitCode | None = None
    summary: str = ""
    error: str = ""
    notes: list[str] = Field(
        default_factory=list,
        description="notices for the person who ran it (compared with, playbook used): every "
        "door shows them",
    )

    model_config = ConfigDict(populate_by_name=True, extra="ignore")
