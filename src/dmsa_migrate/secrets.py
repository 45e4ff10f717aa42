"""Secret references and redaction.

A secret is never given to the tool as a literal value: users write a *reference* and
the tool resolves it only at the moment a request needs it.

=================  ===================================================================
``env:NAME``       the value of environment variable ``NAME``
``file:PATH``      the first line of the file at ``PATH`` (``~`` expanded)
``keyring:S/N``    the password stored in the OS keyring under service ``S``, name ``N``
                   (needs the optional ``keyring`` extra)
``prompt``         asked on the terminal without echo (or by the TUI in a password field)
=================  ===================================================================

Every value that is resolved is registered with the process-wide :data:`REDACTOR`, so
anything the tool prints, logs or writes can be passed through :func:`redact` and no
secret survives, in plain, URL-encoded, base64 or JSON-escaped form.
"""

from __future__ import annotations

import base64
import getpass
import json
import os
import re
import stat
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from dmsa_migrate.errors import FileFormatError, SecretReferenceError
from dmsa_migrate.fileio import SECRET_FILE_CAP, read_capped_bytes

SchemeName = Literal["env", "file", "keyring", "prompt"]
REDACTED = "«redacted»"
_MIN_SECRET_LENGTH = 4


@dataclass(frozen=True)
class SecretRef:
    """A parsed secret reference; holds where the secret is, never the secret itself."""

    scheme: SchemeName
    target: str = ""

    def __str__(self) -> str:
        return "prompt" if self.scheme == "prompt" else f"{self.scheme}:{self.target}"


def is_reference(text: str) -> bool:
    """True when ``text`` is written as a secret reference (not a literal secret)."""
    return text == "prompt" or bool(re.match(r"^(env|file|keyring):.+", text))


def looks_like_secret(text: str) -> bool:
    """True when ``text`` reads like a credential rather than a name or a path.

    Why: a reference that the shell expanded (``env:$S`` becomes ``env:9f2c…``) or a
    secret pasted after ``file:`` must not be repeated in an error message. Names and
    paths are words; secrets are long runs of letters and digits mixed.
    """
    for chunk in re.split(r"[/\\:\s]+", text):
        if len(chunk) >= 16 and "." not in chunk and _random_looking(chunk):
            return True
    return len(text) > 200


def _random_looking(chunk: str) -> bool:
    """Letters and digits mixed as a generator mixes them, not as a person names things.

    Many digits among letters (``9f2c…``), or upper and lower case and a digit in one long
    run with no word separator: a random base-62 secret of 40 characters has fewer than
    four digits one time in fifteen, so the digit count alone lets those through.
    """
    letters = sum(char.isalpha() for char in chunk)
    digits = sum(char.isdigit() for char in chunk)
    if letters >= 2 and digits >= max(2, len(chunk) // 10):
        return True
    cases = any(c.islower() for c in chunk) and any(c.isupper() for c in chunk)
    return cases and digits >= 1 and len(chunk) >= 20 and not re.search(r"[_-]", chunk)


def shown_reference(ref: SecretRef) -> str:
    """The reference as it may appear in a message: its target hidden if it looks secret."""
    if ref.scheme == "prompt":
        return "prompt"
    if looks_like_secret(ref.target):
        return f"{ref.scheme}:… (not shown: it looks like a secret rather than a name)"
    return str(ref)


def shown_reference_text(text: str) -> str:
    """A stored reference (session, accounts file) as a screen or listing may show it.

    Why: the text comes from a file that may have been edited by hand, so it is not
    trusted to be a well-formed reference; anything that is not one is not shown at all.
    """
    if text in ("", "prompt"):
        return text
    scheme, sep, target = text.partition(":")
    if not sep or scheme not in ("env", "file", "keyring"):
        return "… (not a reference: not shown)"
    return shown_reference(SecretRef(scheme, target))  # type: ignore[arg-type]


_FORMS = "env:NAME, file:PATH, keyring:SERVICE/NAME or prompt"


def parse_ref(text: str, *, field: str = "secret") -> SecretRef:
    """Parse ``text`` as a secret reference.

    Raises:
        SecretReferenceError: the text is not a reference. The message names ``field``
            and the form expected and never repeats the text: a user who pasted a secret
            (or whose shell expanded ``env:$NAME``) must not see it echoed to a log.
    """
    if text == "prompt":
        return SecretRef("prompt")
    scheme, sep, target = text.partition(":")
    if not sep or scheme not in ("env", "file", "keyring") or not target.strip():
        raise SecretReferenceError(
            f"{field}: not a secret reference. Write {_FORMS}; never the secret itself"
        )
    if scheme == "env" and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", target):
        raise SecretReferenceError(f"{field}: {_bad_env_name(target)}")
    if scheme == "keyring" and ("/" not in target or looks_like_secret(target)):
        raise SecretReferenceError(
            f"{field}: keyring references are keyring:SERVICE/NAME"
            + (_SECRET_HINT if looks_like_secret(target) else "")
        )
    ref = SecretRef(scheme, target)  # type: ignore[arg-type]
    if looks_like_secret(target) and _points_at_nothing(ref):
        raise SecretReferenceError(
            f"{field}: {scheme}:… is not used (not shown{_SECRET_HINT} or path, and no "
            f"{'variable' if scheme == 'env' else 'file'} of that name exists: did the shell "
            f"expand $NAME? Quote the reference, e.g. 'env:NAME'). Write {_FORMS}; never the "
            "secret itself"
        )
    return ref


def _points_at_nothing(ref: SecretRef) -> bool:
    """True when an ``env:``/``file:`` reference names no variable or file that exists.

    Why: a secret-shaped target that names something real is a name (a variable called
    ``DMSA_SECRET_20240101``); one that names nothing is almost surely the secret itself,
    and must not be kept in a session file or repeated in a later "not set" message.
    """
    if ref.scheme == "env":
        return ref.target not in os.environ
    return not os.path.lexists(os.path.expanduser(ref.target))


_SECRET_HINT = "; what follows the colon looks like a secret rather than a name"


def _bad_env_name(target: str) -> str:
    detail = (
        "the text after env: is not a variable name (expected env:NAME, NAME made of "
        "letters, digits and _ and not starting with a digit)"
    )
    if looks_like_secret(target):
        detail += (
            f"{_SECRET_HINT}: did the shell expand $NAME? Quote the reference, e.g. 'env:NAME'"
        )
    return detail


def resolve(ref: SecretRef | str, *, field: str = "secret") -> str:
    """Return the secret a reference points at and register it for redaction."""
    parsed = parse_ref(ref, field=field) if isinstance(ref, str) else ref
    value = _lookup(parsed, field)
    if not value:
        raise SecretReferenceError(f"{field}: {shown_reference(parsed)} resolves to an empty value")
    REDACTOR.add(value)
    return value


def _lookup(ref: SecretRef, field: str) -> str:
    if ref.scheme == "env":
        value = os.environ.get(ref.target)
        if value is None:
            raise SecretReferenceError(
                f"{field}: environment variable {shown_reference(ref)[4:]} is not set"
            )
        return value.strip()
    if ref.scheme == "file":
        return _file_lookup(ref, field)
    if ref.scheme == "keyring":
        return _keyring_lookup(ref, field)
    try:
        return getpass.getpass(f"{field}: ").strip()
    except (EOFError, KeyboardInterrupt) as exc:
        raise SecretReferenceError(f"{field}: no terminal to prompt on") from exc


def _file_lookup(ref: SecretRef, field: str) -> str:
    """The first line of a ``file:`` secret: a regular file of at most :data:`SECRET_FILE_CAP`."""
    shown = shown_reference(ref)
    try:
        data = read_capped_bytes(Path(ref.target).expanduser(), SECRET_FILE_CAP, "a secret file")
    except FileFormatError as exc:
        raise SecretReferenceError(f"{field}: {shown}: {exc.detail}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # a bad input, not a bug; the bytes are not shown
        raise SecretReferenceError(f"{field}: {shown} is not UTF-8 text") from exc
    _warn_if_shared(Path(ref.target).expanduser(), field, shown)
    lines = text.splitlines()
    return lines[0].strip() if lines else ""


def _warn_if_shared(path: Path, field: str, shown: str) -> None:
    """Say so on stderr when other local users can read the secret file (keep it 0600)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        print(
            f"dmsa-migrate: warning: {field}: {shown} can be read by other users "
            f"(mode {stat.S_IMODE(mode):04o}); chmod 600 it",
            file=sys.stderr,
        )


def _keyring_lookup(ref: SecretRef, field: str) -> str:
    service, _, name = ref.target.partition("/")
    value = keyring_load(service, name, field=field)
    if value is None:
        raise SecretReferenceError(
            f"{field}: nothing stored in the keyring at {shown_reference(ref)}"
        )
    return value


def _keyring_module(field: str) -> object:
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise SecretReferenceError(
            f"{field}: the OS keyring needs the keyring extra (pip install 'dmsa-migrate[keyring]')"
        ) from exc
    return keyring


def keyring_store(service: str, name: str, value: str, *, field: str = "keyring") -> None:
    """Keep ``value`` in the OS keyring: the one place a secret may persist."""
    REDACTOR.add(value)
    keyring: Any = _keyring_module(field)
    _warn_if_plaintext(keyring, field)
    try:
        keyring.set_password(service, name, value)
    except Exception as exc:  # keyring backends raise their own types
        raise SecretReferenceError(f"{field}: the OS keyring refused to store it ({exc})") from exc


def _warn_if_plaintext(keyring: Any, field: str) -> None:
    """Say so when the keyring in use keeps secrets unencrypted on disk.

    Why: on a headless machine ``keyring`` may fall back to a plaintext file backend (the
    ``keyrings.alt`` package), and a user who asked for the OS keyring believes the token
    is encrypted. Such backends say so in their class or module name.
    """
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken backend is reported by set_password itself
        return
    kind = f"{type(backend).__module__}.{type(backend).__name__}"
    if "plaintext" in kind.lower() or kind.startswith("keyrings.alt.file"):
        print(
            f"dmsa-migrate: warning: {field}: the keyring backend ({type(backend).__name__}) "
            "stores secrets unencrypted on disk; install an encrypted backend (Secret Service, "
            "macOS Keychain, Windows Credential Locker) or keep the file private",
            file=sys.stderr,
        )


def keyring_load(service: str, name: str, *, field: str = "keyring") -> str | None:
    """The value kept under ``service``/``name``, or ``None``."""
    keyring: Any = _keyring_module(field)
    value = keyring.get_password(service, name)
    if value is not None:
        REDACTOR.add(str(value))
    return None if value is None else str(value)


class Redactor:
    """Remembers every secret value the process has seen and scrubs them from text.

    Why the index: a fleet run registers thousands of forms (six per secret: one secret
    and one token per old account), and every request description and output write is
    redacted. Sorting every form and searching the text for each, on every call, was most
    of a 1,000-account inventory's CPU. The forms are indexed by their first
    ``_MIN_SECRET_LENGTH`` characters, so a text shorter than the number of forms is
    checked by looking up each of its windows instead; either way the forms that occur
    are replaced longest first, in the order they were registered, as before.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: dict[str, int] = {}  # form -> registration order
        self._by_prefix: dict[str, list[str]] = {}
        self._ordered: list[str] | None = None  # every form, longest first (cached)

    def add(self, secret: str) -> None:
        """Register ``secret`` (and its encoded forms) for redaction."""
        if len(secret) < _MIN_SECRET_LENGTH:
            return
        forms = {
            secret,
            urllib.parse.quote(secret, safe=""),
            urllib.parse.quote_plus(secret),
            json.dumps(secret)[1:-1],
            base64.b64encode(secret.encode()).decode().rstrip("="),
            base64.urlsafe_b64encode(secret.encode()).decode().rstrip("="),
        }
        with self._lock:
            for form in sorted(forms):
                if len(form) >= _MIN_SECRET_LENGTH and form not in self._forms:
                    self._forms[form] = len(self._forms)
                    self._by_prefix.setdefault(form[:_MIN_SECRET_LENGTH], []).append(form)
                    self._ordered = None

    def redact(self, text: str) -> str:
        """Return ``text`` with every registered secret form replaced by a marker."""
        with self._lock:
            forms = self._candidates(text)
        for form in forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def _candidates(self, text: str) -> list[str]:
        """The forms that may occur in ``text``, longest first (registration order among
        equal lengths). Looking up each window costs about as much as searching the text
        for a couple of forms: used when that is fewer lookups than searches."""
        windows = len(text) - _MIN_SECRET_LENGTH + 1
        if not self._forms or windows < 1:
            return []
        if windows < len(self._forms) * (1 + len(text) // 2048):
            width = _MIN_SECRET_LENGTH
            found = {
                form
                for start in range(windows)
                for form in self._by_prefix.get(text[start : start + width], ())
            }
            return sorted(found, key=self._order)
        if self._ordered is None:
            self._ordered = sorted(self._forms, key=self._order)
        return self._ordered

    def _order(self, form: str) -> tuple[int, int]:
        return -len(form), self._forms[form]

    def clear(self) -> None:
        """Forget every registered secret (tests use this between cases)."""
        with self._lock:
            self._forms.clear()
            self._by_prefix.clear()
            self._ordered = None


REDACTOR = Redactor()


def redact(text: str) -> str:
    """Scrub every secret this process has resolved from ``text``."""
    return REDACTOR.redact(text)


def mask_client_id(client_id: str) -> str:
    """Show enough of a client id to recognise it, never all of it: ``ab12…9f``."""
    if len(client_id) <= 8:
        return "…" if len(client_id) < 4 else client_id[:2] + "…"
    return f"{client_id[:4]}…{client_id[-2:]}"
