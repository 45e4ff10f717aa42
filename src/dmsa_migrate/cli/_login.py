"""The saved login of ``dmsa-migrate login --keyring`` and its use by ``[directory] login``.

Only the OS keyring keeps it (a secret never goes to a file): one JSON record per login host
holding the access and refresh tokens, their expiry, the app's client id and the *reference*
to its secret (needed to refresh). Procore rotates the refresh token on every refresh and
the old one dies at once, so a refreshed pair is stored back before it is used.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from dmsa_migrate.errors import InputError
from dmsa_migrate.fileio import parse_json
from dmsa_migrate.procore import ClientCredentials, Environment, TokenSet, refresh_tokens
from dmsa_migrate.runtime import Connection
from dmsa_migrate.secrets import keyring_load, keyring_store, resolve

KEYRING_SERVICE = "dmsa-migrate"
RENEW_AHEAD_S = 120.0


def keyring_name(environment: Environment) -> str:
    """One saved login per login host: sandbox and production never mix."""
    return f"login {environment.login_base}"


@dataclass
class SavedLogin:
    """What the keyring keeps for one login host."""

    client_id: str
    client_secret_ref: str
    redirect_uri: str
    access_token: str
    refresh_token: str
    expires_at: float

    @classmethod
    def from_tokens(
        cls, tokens: TokenSet, client_id: str, secret_ref: str, redirect_uri: str
    ) -> SavedLogin:
        return cls(
            client_id=client_id,
            client_secret_ref=secret_ref,
            redirect_uri=redirect_uri,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token or "",
            expires_at=tokens.expires_at,
        )


def save_login(environment: Environment, login: SavedLogin) -> None:
    """Keep the login in the OS keyring."""
    keyring_store(
        KEYRING_SERVICE, keyring_name(environment), json.dumps(asdict(login)), field="--keyring"
    )


def load_login(environment: Environment) -> SavedLogin:
    """The saved login for this environment; a clear error when there is none."""
    text = keyring_load(KEYRING_SERVICE, keyring_name(environment), field="directory.login")
    if text is None:
        raise InputError(
            f"directory.login: no saved login for {environment.login_base}; run "
            "`dmsa-migrate login --client-id ID --client-secret REF --keyring` first"
        )
    try:
        return SavedLogin(**parse_json(text, "the saved login"))
    except (InputError, ValueError, TypeError) as exc:
        raise InputError("directory.login: the saved login is unreadable; log in again") from exc


async def login_access_token(connection: Connection, *, now: float | None = None) -> str:
    """A valid access token of the saved login, refreshed (and re-saved) when due."""
    environment = connection.environment
    login = load_login(environment)
    clock = time.time() if now is None else now
    if login.expires_at - RENEW_AHEAD_S > clock:
        return login.access_token
    if not login.refresh_token:
        raise InputError("directory.login: the saved login has expired; log in again")
    secret = resolve(login.client_secret_ref, field="saved login client_secret")
    tokens = await refresh_tokens(
        environment,
        ClientCredentials(login.client_id, secret),
        login.refresh_token,
        login.redirect_uri,
        transport=connection.transport,
    )
    save_login(
        environment,
        SavedLogin.from_tokens(
            tokens, login.client_id, login.client_secret_ref, login.redirect_uri
        ),
    )
    return tokens.access_token
