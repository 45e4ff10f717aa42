"""Load, validate and discover playbooks (shipped ones and the user's own).

Validation runs in two passes and reports *every* problem with file, line and field:

1. structure (pydantic, unknown keys rejected): types, dates, required fields;
2. meaning: unique ids, due dates that name a timeline event, conditions that parse and
   read only known facts, evidence templates with known facts, manifest settings that do
   not contradict themselves.

Shipped playbooks live in ``playbooks/`` of a source checkout and in
``dmsa_migrate/_playbooks`` of an installed wheel (hatch force-include); both are found.
User playbooks live in :func:`dmsa_migrate.paths.user_playbooks_dir`; a user playbook with
the id of a shipped one takes its place, so a consultant can adapt a shipped playbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from dmsa_migrate.conditions import (
    FACT_TYPES,
    Condition,
    ConditionError,
    FactValues,
    compile_condition,
    template_facts,
)
from dmsa_migrate.errors import FileFormatError, InputError
from dmsa_migrate.fileio import CONFIG_FILE_CAP, parse_toml, read_text, toml_key_line
from dmsa_migrate.models.common import LEVEL_ORDER
from dmsa_migrate.models.playbook import (
    RELATIVE_DUE,
    ChecklistItem,
    Playbook,
)

DEFAULT_PLAYBOOK = "standard-data-connector"
"""The playbook a session or checklist uses when none is named, before the sunset."""

POST_SUNSET_PLAYBOOK = "post-sunset-recovery"
"""The default on or after the sunset: the old accounts are dead, the story is recovery."""

SUNSET = dt.date(2025, 3, 18)
"""The day Procore's traditional service accounts stopped working."""


def default_playbook_id(today: dt.date) -> str:
    """The playbook an engagement starting ``today`` follows when none is named."""
    return POST_SUNSET_PLAYBOOK if today >= SUNSET else DEFAULT_PLAYBOOK

BUILTIN_STEP_KINDS = ("inventory", "manifest", "verify", "checklist")
CONDITION_FIELDS = ("applies_when", "blocked_when", "done_when")

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a playbook file."""

    location: Location
    message: str
    line: int | None = None

    @property
    def field(self) -> str:
        return ".".join(str(part) for part in self.location) or "(top level)"


class PlaybookError(FileFormatError):
    """A playbook that does not validate; ``problems`` holds every problem found."""

    title = "Invalid playbook"

    def __init__(self, path: str, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(path, f"{first.field}: {first.message}", first.line)
        self.problems = problems
        if len(problems) > 1:
            more = [f"{_where(path, p.line)}: {p.field}: {p.message}" for p in problems[1:]]
            self.message += f"\n({len(more)} more) " + "\n".join(more)
            self.args = (self.message,)


def _where(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line is not None else path


# ---------------------------------------------------------------- loading


def parse_playbook(text: str, source: str) -> Playbook:
    """Parse and fully validate playbook ``text``; ``source`` names it in errors.

    Raises:
        FileFormatError: invalid TOML (with line).
        PlaybookError: every structural and semantic problem, each with line and field.
    """
    data = parse_toml(text, source)
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        problems = [_structure_problem(error, text) for error in exc.errors()]
        raise PlaybookError(source, problems) from None
    problems = [
        Problem(p.location, p.message, toml_key_line(text, p.location))
        for p in semantic_problems(playbook)
    ]
    if problems:
        raise PlaybookError(source, problems)
    return playbook


def _read_playbook(path: Path | str) -> str:
    """A playbook's text: a regular file of at most :data:`CONFIG_FILE_CAP` (16 MiB)."""
    return read_text(path, cap=CONFIG_FILE_CAP, what="a playbook")


def load_playbook(path: Path | str) -> Playbook:
    """Read and validate the playbook file at ``path``."""
    return parse_playbook(_read_playbook(path), str(path))


def _structure_problem(error: Any, text: str) -> Problem:
    location: Location = tuple(error.get("loc", ()))
    message = str(error.get("msg", "invalid value"))
    if error.get("type") == "extra_forbidden":
        message = "unknown key"
    elif error.get("type") == "missing":
        message = "required key is missing"
    message = message.removeprefix("Value error, ")
    # A missing key has no line of its own: point at the table that should hold it.
    where = location[:-1] if error.get("type") == "missing" else location
    return Problem(location, message, toml_key_line(text, where) if where else None)


# ---------------------------------------------------------------- meaning


def semantic_problems(playbook: Playbook) -> list[Problem]:
    """Problems pydantic cannot see: duplicates, references, conditions, contradictions."""
    problems: list[Problem] = []
    problems += _duplicates("timeline", [event.id for event in playbook.timeline])
    problems += _duplicates("steps", [step.id for step in playbook.steps])
    problems += _duplicates("checklist", [item.id for item in playbook.checklist])
    problems += _duplicate_step_kinds(playbook)
    for index, item in enumerate(playbook.checklist):
        problems += _item_problems(playbook, index, item)
    problems += _manifest_problems(playbook)
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(playbook.permission_map):
        key = (entry.method, entry.template)
        if key in seen:
            problems.append(
                Problem(
                    ("permission_map", index, "template"),
                    f"{entry.method} {entry.template} is already mapped by entry {seen[key]}",
                )
            )
        seen.setdefault(key, index)
    return problems


def _duplicates(section: str, ids: list[str]) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for index, value in enumerate(ids):
        if value in first:
            problems.append(
                Problem(
                    (section, index, "id"),
                    f"duplicate id '{value}' (first used by {section} entry {first[value]})",
                )
            )
        first.setdefault(value, index)
    return problems


def _duplicate_step_kinds(playbook: Playbook) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, step in enumerate(playbook.steps):
        if step.kind in BUILTIN_STEP_KINDS and step.kind in seen:
            problems.append(
                Problem(("steps", index, "kind"), f"a second '{step.kind}' step; keep one")
            )
        seen.add(step.kind)
    return problems


def _item_problems(playbook: Playbook, index: int, item: ChecklistItem) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(item.due, str):
        match = RELATIVE_DUE.match(item.due)
        if match and playbook.event(match["event"]) is None:
            known = ", ".join(event.id for event in playbook.timeline)
            problems.append(
                Problem(
                    ("checklist", index, "due"),
                    f"'{match['event']}' is not a timeline event id (known: {known})",
                )
            )
    for name in CONDITION_FIELDS:
        text = getattr(item, name)
        if text is None:
            continue
        try:
            compile_condition(text, FACT_TYPES)
        except ConditionError as exc:
            problems.append(Problem(("checklist", index, name), exc.message))
    for fact in template_facts(item.evidence):
        if fact not in FACT_TYPES:
            problems.append(Problem(("checklist", index, "evidence"), f"unknown fact '{{{fact}}}'"))
    return problems


def _manifest_problems(playbook: Playbook) -> list[Problem]:
    settings = playbook.manifest
    if settings.max_level is None:
        return []
    cap = LEVEL_ORDER[settings.max_level]
    problems = []
    for scope, levels in (
        ("company", settings.require.company),
        ("project", settings.require.project),
    ):
        for tool, level in levels.items():
            if LEVEL_ORDER[level] > cap:
                problems.append(
                    Problem(
                        ("manifest", "require", scope, tool),
                        f"requires {level} but max_level is {settings.max_level}",
                    )
                )
    return problems


# ---------------------------------------------------------------- evaluation helpers

ItemStatus = Literal["done", "pending", "blocked", "not_applicable"]


@dataclass(frozen=True)
class ItemDecision:
    """What the conditions of one item say for one company, and why."""

    status: ItemStatus
    decided_by: str | None
    """The field whose condition decided (``done_when`` …), or None (manual / no evidence)."""
    missing_facts: list[str] = field(default_factory=list)
    """Facts that were unknown, when missing evidence kept the item pending."""


def item_conditions(item: ChecklistItem) -> dict[str, Condition]:
    """The compiled conditions of ``item`` (only the fields it sets)."""
    return {
        name: compile_condition(text, FACT_TYPES)
        for name in CONDITION_FIELDS
        if (text := getattr(item, name)) is not None
    }


def decide_item(item: ChecklistItem, facts: FactValues) -> ItemDecision:
    """Apply the rule of :class:`ChecklistItem`: applies → blocked → done → pending.

    An unknown ``applies_when`` counts as applying (better a visible pending item than a
    hidden one); an unknown ``blocked_when`` does not block.
    """
    conditions = item_conditions(item)
    missing: set[str] = set()
    for name in CONDITION_FIELDS:
        if name in conditions and conditions[name].evaluate(facts) is None:
            missing.update(conditions[name].missing(facts))
    applies = conditions.get("applies_when")
    if applies is not None and applies.evaluate(facts) is False:
        return ItemDecision("not_applicable", "applies_when")
    blocked = conditions.get("blocked_when")
    if blocked is not None and blocked.evaluate(facts) is True:
        return ItemDecision("blocked", "blocked_when")
    done = conditions.get("done_when")
    if done is not None and done.evaluate(facts) is True:
        return ItemDecision("done", "done_when")
    decided = "done_when" if done is not None and done.evaluate(facts) is False else None
    return ItemDecision("pending", decided, sorted(missing))


def timeline_lines(playbook: Playbook, today: dt.date) -> list[str]:
    """The timeline relative to ``today``: ``Sunset: 2025-03-18 — passed 620 days ago``."""
    lines = []
    for event in sorted(playbook.timeline, key=lambda e: e.date):
        days = event.days_from(today)
        if days > 0:
            when = f"in {days} day{'s' if days != 1 else ''}"
        elif days == 0:
            when = "today"
        else:
            when = f"passed {-days} day{'s' if days != -1 else ''} ago"
        lines.append(f"{event.title}: {event.date.isoformat()} — {when}")
    return lines


# ---------------------------------------------------------------- discovery


@dataclass(frozen=True)
class PlaybookEntry:
    """A playbook file found on disk; ``problem`` is set (and ``playbook`` None) if invalid."""

    path: Path
    origin: Literal["shipped", "user"]
    playbook: Playbook | None = None
    problem: str | None = None
    shadowed: bool = False
    """A shipped playbook replaced by a user playbook with the same id."""

    @property
    def id(self) -> str:
        return self.playbook.id if self.playbook else self.path.stem

    @property
    def is_default(self) -> bool:
        """The playbook an engagement starting today gets when it names none."""
        return self.id == default_playbook_id(dt.date.today()) and self.origin == "shipped"

    @property
    def default_mark(self) -> str:
        """When this shipped playbook is the default, in words that do not change with the
        date (empty when it never is)."""
        if self.origin != "shipped":
            return ""
        if self.id == DEFAULT_PLAYBOOK:
            return f"default before {SUNSET.isoformat()}"
        if self.id == POST_SUNSET_PLAYBOOK:
            return f"default from {SUNSET.isoformat()}"
        return ""


def shipped_playbooks_dir() -> Path | None:
    """Where the shipped playbooks are: inside the installed package, else the checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_playbooks", package.parent.parent / "playbooks"):
        if candidate.is_dir():
            return candidate
    return None


def _user_dir(user_dir: Path | None) -> Path:
    if user_dir is not None:
        return user_dir
    from dmsa_migrate.paths import user_playbooks_dir

    return user_playbooks_dir()


def _scan(folder: Path | None, origin: Literal["shipped", "user"]) -> list[PlaybookEntry]:
    if folder is None or not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.glob("*.toml")):
        try:
            entries.append(PlaybookEntry(path, origin, load_playbook(path)))
        except InputError as exc:
            entries.append(PlaybookEntry(path, origin, problem=exc.message))
    return entries


def discover_playbooks(user_dir: Path | None = None) -> list[PlaybookEntry]:
    """Every shipped and user playbook, invalid ones included (with their problem)."""
    shipped = _scan(shipped_playbooks_dir(), "shipped")
    user = _scan(_user_dir(user_dir), "user")
    user_ids = {entry.id for entry in user if entry.playbook is not None}
    shipped = [
        PlaybookEntry(e.path, e.origin, e.playbook, e.problem, shadowed=e.id in user_ids)
        for e in shipped
    ]
    return sorted([*shipped, *user], key=lambda e: (e.id, e.origin))


def find_playbook(name_or_file: str | None = None, user_dir: Path | None = None) -> Playbook:
    """The playbook named by id (user first, then shipped) or by file path.

    Raises:
        InputError: no playbook has that id (the message lists the ids there are).
        PlaybookError: the playbook found does not validate.
    """
    return find_playbook_source(name_or_file, user_dir)[0]


def find_playbook_source(
    name_or_file: str | None = None, user_dir: Path | None = None
) -> tuple[Playbook, str]:
    """:func:`find_playbook` and the file's text: what a new session pins (copies in)."""
    name = name_or_file or DEFAULT_PLAYBOOK
    if name.endswith(".toml") or "/" in name or "\\" in name:
        path = Path(name).expanduser()
        text = _read_playbook(path)
        return parse_playbook(text, str(path)), text
    entries = discover_playbooks(user_dir)
    for origin in ("user", "shipped"):
        for entry in entries:
            if entry.id == name and entry.origin == origin:
                text = _read_playbook(entry.path)
                return entry.playbook or parse_playbook(text, str(entry.path)), text
    known = ", ".join(_ids(entries)) or "none found"
    raise InputError(f"no playbook '{name}' (known: {known})")


def _ids(entries: Iterable[PlaybookEntry]) -> list[str]:
    return sorted({entry.id for entry in entries})
