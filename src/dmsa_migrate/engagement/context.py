"""The :class:`Engagement`: one session (or none) and everything a step needs from it.

A step never asks its caller where Procore is, which accounts, secrets, playbook or
evidence to use: the engagement answers from the session, and a caller's flags override
single values for one run (each recorded in the run). That is what makes the CLI, the TUI
and ``demo --headless`` give the same results for the same session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dmsa_migrate.errors import InputError
from dmsa_migrate.models.playbook import Playbook
from dmsa_migrate.models.session import Session
from dmsa_migrate.procore import ClientEvent, Credentials, ProcoreClient
from dmsa_migrate.sessions import SessionStore

Listener = Callable[[ClientEvent], None]
Resolver = Callable[[str, str], str]
"""``(reference, field) -> secret``."""

LoginToken = Callable[[Any], Awaitable[str]]
"""``connection -> access token`` of the saved login (``[directory] login = true``)."""


@dataclass
class Hooks:
    """What a door plugs into a run: progress, client events, how secrets are resolved.

    ``resolve`` lets the TUI answer ``prompt`` references from its password fields;
    ``login_token`` lets the CLI hand in its saved keyring login.
    """

    on_event: Listener | None = None
    on_progress: Callable[[Any], None] | None = None
    resolve: Resolver | None = None
    login_token: LoginToken | None = None


@dataclass
class ConnectionFlags:
    """``--env``/``--api-base``/``--login-base`` as given (None: the session's value)."""

    env: str | None = None
    api_base: str | None = None
    login_base: str | None = None

    def given(self) -> dict[str, str]:
        """The flags that were given, for the run record."""
        names = {"env": self.env, "api_base": self.api_base, "login_base": self.login_base}
        return {name: value for name, value in names.items() if value}


class ObservedConnection:
    """A client factory that also reports every client event to ``listener``."""

    def __init__(self, inner: Any, listener: Listener) -> None:
        self.inner = inner
        self.listener = listener
        self.environment = inner.environment
        self.transport = getattr(inner, "transport", None)
        self.emulator = getattr(inner, "emulator", None)

    def client(
        self,
        credentials: Credentials,
        *,
        company_id: int | None = None,
        on_event: Listener | None = None,
    ) -> ProcoreClient:
        def both(event: ClientEvent) -> None:
            if on_event is not None:
                on_event(event)
            self.listener(event)

        client: ProcoreClient = self.inner.client(
            credentials, company_id=company_id, on_event=both
        )
        return client


@dataclass
class Engagement:
    """One session's engagement as the steps see it (``session`` None: a plain run).

    Attributes:
        store / session: where the runs are recorded (both None for a plain CLI run).
        playbook: the session's pinned playbook (None for a plain run: no playbook rules).
        hooks: the door's progress and secret hooks.
        flags: connection flags of this run.
        ready_connection: a connection the door already holds (the TUI's demo emulator).
    """

    store: SessionStore | None
    session: Session | None
    playbook: Playbook | None
    hooks: Hooks = field(default_factory=Hooks)
    flags: ConnectionFlags = field(default_factory=ConnectionFlags)
    ready_connection: Any = None
    _connection: Any = field(default=None, init=False, repr=False)
    _demo: Any = field(default=None, init=False, repr=False)

    # ------------------------------------------------------------ where things are

    @property
    def folder(self) -> Path | None:
        """The session folder (None for a plain run)."""
        if self.store is None or self.session is None:
            return None
        return self.store.folder(self.session.name)

    def exports_folder(self) -> Path:
        """Where this session's checklist exports go (every door writes the same folder).

        Raises:
            InputError: a plain run has no session folder.
        """
        if self.store is None or self.session is None:
            raise InputError("no session: give the folder to write to (--out DIR)")
        return self.store.exports_folder(self.session)

    def step_id(self, kind: str) -> str:
        """The id the playbook gives the step of this kind (default: the kind)."""
        if self.playbook is None:
            return kind
        return next((s.id for s in self.playbook.steps if s.kind == kind), kind)

    def latest_output(self, kind: str) -> Path | None:
        """The session's latest output of a step kind, if it has one."""
        if self.store is None or self.session is None:
            return None
        path = self.store.artifact_path(self.session, self.step_id(kind))
        return path if path is not None and path.exists() else None

    # ------------------------------------------------------------ connection

    @property
    def emulator_world(self) -> str:
        """The world of a demo session's in-process emulator ('' for a real Procore)."""
        if self.flags.api_base or self.flags.env or self.session is None:
            return ""
        return self.session.connection.emulator

    def connection(self) -> Any:
        """The connection of this run (built once): the flags, else the session's."""
        if self._connection is None:
            inner = self.ready_connection or self._build_connection()
            on_event = self.hooks.on_event
            self._connection = ObservedConnection(inner, on_event) if on_event else inner
        return self._connection

    def _build_connection(self) -> Any:
        from dmsa_migrate import runtime

        world = self.emulator_world
        if world:
            from dmsa_migrate.engagement.demo import demo_setup

            self._demo = demo_setup(world)
            return self._demo.connection
        stored = self.session.connection if self.session is not None else None
        env = self.flags.env or (stored.environment if stored else None) or "production"
        api_base = self.flags.api_base or (stored.api_base if stored else "") or None
        login_base = self.flags.login_base or (stored.login_base if stored else "") or None
        return runtime.connection_from_options(env, api_base, login_base)

    def where(self) -> tuple[str, str]:
        """(environment name, API base) of this run, for the record."""
        environment = self.connection().environment
        return str(environment.name), str(environment.api_base)

    def today(self) -> dt.date:
        """The date the steps reason with: the emulator's clock for a demo, else today (UTC)."""
        emulator = getattr(self.connection(), "emulator", None)
        now = getattr(getattr(getattr(emulator, "world", None), "world", None), "now", None)
        if isinstance(now, dt.datetime):
            return now.date()
        return dt.datetime.now(dt.UTC).date()

    # ------------------------------------------------------------ secrets

    def secret(self, reference: str, field_name: str) -> str:
        """Resolve a secret reference (through the door's resolver when it has one)."""
        if self.emulator_world:
            self.connection()  # a demo's fixture references exist once its world is loaded
        if self.hooks.resolve is not None:
            return self.hooks.resolve(reference, field_name)
        from dmsa_migrate.secrets import resolve

        return resolve(reference, field=field_name)

    def session_ref(self, name: str) -> str:
        """A credential reference the session keeps ('' when it has none)."""
        if self.session is None:
            return ""
        return self.session.credentials.secret_refs.get(name, "")


def load_pinned_playbook(store: SessionStore, session: Session) -> Playbook:
    """The session's playbook: its pinned copy; for a session from before pinning, the
    playbook of that id, pinned now if its version is still the one the session recorded.

    Raises:
        InputError: the playbook of that id has another version now (upgrade on request:
            ``session playbook NAME --upgrade``), or is gone.
    """
    from dmsa_migrate.playbooks import find_playbook_source, load_playbook

    ref = session.playbook
    folder = store.folder(session.name)
    if ref.file:
        return load_playbook(folder / Path(ref.file).name)
    playbook, text = find_playbook_source(ref.id)
    if playbook.version != ref.version:
        raise InputError(
            f"session {session.name} follows playbook {ref.id} {ref.version}, but the "
            f"playbook is now {playbook.version}; run `dmsa-migrate session playbook "
            f"{session.name} --upgrade` to move the session to it"
        )
    store.pin_playbook(session, playbook, text)
    return playbook


def open_engagement(
    store: SessionStore,
    name: str,
    *,
    hooks: Hooks | None = None,
    flags: ConnectionFlags | None = None,
) -> Engagement:
    """Load session ``name`` and its pinned playbook (a wrong name fails before any request)."""
    session = store.load(name)
    return Engagement(
        store, session, load_pinned_playbook(store, session),
        hooks=hooks or Hooks(), flags=flags or ConnectionFlags(),
    )


def plain_engagement(
    *, playbook: Playbook | None = None, hooks: Hooks | None = None,
    flags: ConnectionFlags | None = None,
) -> Engagement:
    """A run outside any session: nothing is read from or recorded in a session."""
    return Engagement(
        None, None, playbook, hooks=hooks or Hooks(), flags=flags or ConnectionFlags()
    )
