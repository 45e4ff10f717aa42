"""The browser side of the authorization-code login: catch the redirect with the code.

Procore registers ``http://localhost`` as a redirect URI for every app, so a company admin
can approve the app in their browser and Procore sends the browser back to a one-shot
listener on this machine with ``?code=…&state=…``. For remote shells, where no browser can
reach this machine, the out-of-band redirect shows the code on a Procore page and the user
pastes it (:func:`code_from_paste`).
"""

from __future__ import annotations

import secrets as _random
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

from dmsa_migrate.errors import InputError
from dmsa_migrate.secrets import REDACTOR
from dmsa_migrate.textsafe import one_line

_DONE_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>dmsa-migrate</title>"
    b"<p>Login received. You can close this window and return to the terminal.</p>"
)
_FAILED_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>dmsa-migrate</title>"
    b"<p>Login failed: the answer did not carry the expected code. See the terminal.</p>"
)


def new_state() -> str:
    """An unguessable ``state`` value: the answer must carry it back (CSRF protection)."""
    return _random.token_urlsafe(24)


def code_from_paste(text: str, state: str | None = None) -> str:
    """The code from what a user pasted: the bare code or the whole redirect URL."""
    text = text.strip()
    if "code=" not in text and "error=" not in text:
        if not text or any(ch.isspace() for ch in text):
            raise InputError("login: paste the code Procore showed (or the whole redirect URL)")
        REDACTOR.add(text)
        return text
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(text).query or text.split("?", 1)[-1])
    return _code_from_query(query, state)


def _state_matches(query: dict[str, list[str]], state: str | None) -> bool:
    """True when the answer carries this login's ``state`` (or no state is expected)."""
    return state is None or (query.get("state") or [""])[0] == state


def _code_from_query(query: dict[str, list[str]], state: str | None) -> str:
    # The state is checked first, even for an error answer: otherwise any page the browser
    # opens could end (or fake the outcome of) a login it did not start.
    if not _state_matches(query, state):
        raise InputError("login: the redirect's state does not match this login (ignored)")
    if "error" in query:
        reason = one_line(query.get("error_description", query["error"])[0])[:300]
        raise InputError(f"login: Procore refused the authorization: {reason}")
    code = (query.get("code") or [""])[0]
    if not code:
        raise InputError("login: the redirect carried no code")
    REDACTOR.add(code)
    return code


class RedirectCatcher:
    """A one-shot HTTP listener on loopback that waits for Procore's redirect.

    Args:
        port: the port of the registered redirect URI; 80 for the default
            ``http://localhost``; 0 picks a free port (register ``http://localhost:PORT``).
        state: this login's ``state``; a request that does not carry it is answered 400 and
            does not end the wait (a local page cannot abort or hijack the login).
    """

    def __init__(self, port: int = 80, state: str | None = None) -> None:
        self.state = state
        self._result: dict[str, list[str]] | None = None
        self._arrived = threading.Event()
        catcher = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """Silent: the query holds the code, which must never reach a log."""

            def do_GET(self) -> None:
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                if "code" not in query and "error" not in query:
                    self.send_response(404)
                    self.end_headers()
                    return
                if not _state_matches(query, catcher.state):
                    self.send_response(400)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(b"This answer is not for the login in progress.\n")
                    return
                catcher._result = query
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(_DONE_PAGE if "code" in query else _FAILED_PAGE)
                catcher._arrived.set()

        try:
            self._server = HTTPServer(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise InputError(
                f"login: cannot listen on localhost:{port} ({exc.strerror}). Register "
                "http://localhost:PORT for the app and pass --redirect-port PORT, or use --oob"
            ) from exc
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        """The redirect URI to send in the authorize URL (it must match the registered one)."""
        return "http://localhost" if self.port == 80 else f"http://localhost:{self.port}"

    def __enter__(self) -> RedirectCatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for_code(self, state: str, timeout: float = 600.0) -> str:
        """Block until the browser comes back (Procore's codes live 10 minutes)."""
        if not self._arrived.wait(timeout):
            raise InputError(f"login: no answer from the browser within {timeout:.0f} s")
        assert self._result is not None
        return _code_from_query(self._result, state)


def free_port() -> int:
    """A free loopback port (for tests and ``--redirect-port 0`` callers that need it early)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
