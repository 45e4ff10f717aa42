"""Where Procore lives: the login (OAuth) host and the API host of each environment.

Tokens and credentials never carry over between environments, so an
:class:`Environment` always pairs the login host that issues a token with the API host
that accepts it. The CLI options ``--env``, ``--api-base`` and ``--login-base`` map onto
:func:`environment_from_options`; the emulator serves both roles on one URL, which is why
the login base defaults to the API base.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from dmsa_migrate.errors import InputError
from dmsa_migrate.textsafe import control_free, is_safe_page_url


@dataclass(frozen=True)
class Environment:
    """One Procore environment: a name, the API base URL and the login base URL."""

    name: str
    api_base: str
    login_base: str

    def api_url(self, path: str) -> str:
        """Absolute URL of an API ``path`` such as ``/rest/v1.0/me``."""
        return self.api_base + _with_slash(path)

    def login_url(self, path: str) -> str:
        """Absolute URL of a login-host ``path`` such as ``/oauth/token``."""
        return self.login_base + _with_slash(path)


PRODUCTION = Environment("production", "https://api.procore.com", "https://login.procore.com")
SANDBOX = Environment("sandbox", "https://sandbox.procore.com", "https://login-sandbox.procore.com")
MONTHLY = Environment(
    "monthly", "https://api-monthly.procore.com", "https://login-sandbox-monthly.procore.com"
)
GOV = Environment("gov", "https://api.procoregov.com", "https://login.procoregov.com")

ENVIRONMENTS: dict[str, Environment] = {
    env.name: env for env in (PRODUCTION, SANDBOX, MONTHLY, GOV)
}
"""The named environments, keyed by the value of ``--env``."""


def environment_from_options(
    env: str | None = "production",
    api_base: str | None = None,
    login_base: str | None = None,
) -> Environment:
    """Build the environment the connection options describe.

    ``--api-base`` wins over ``--env``; ``--login-base`` defaults to the API base because
    the emulator answers OAuth and REST calls on one URL. A ``--login-base`` alone keeps the
    named environment's API host.

    Raises:
        InputError: an unknown environment name or a URL that is not http(s)://host.
    """
    name = env or "production"
    if name not in ENVIRONMENTS:
        choices = ", ".join(ENVIRONMENTS)
        raise InputError(f"--env: unknown environment {name!r} (choose one of {choices})")
    if api_base is None and login_base is None:
        return ENVIRONMENTS[name]
    named = ENVIRONMENTS[name]
    api = _base_url(api_base, "--api-base") if api_base else named.api_base
    login = _base_url(login_base, "--login-base") if login_base else None
    if login is None:
        login = api if api_base else named.login_base
    return Environment("custom", api, login)


def _base_url(value: str, option: str) -> str:
    """Validate and normalise a base URL: scheme and host required, no trailing slash.

    Why so strict: the client sends its client secret and bearer tokens to this host, so
    plain ``http://`` is accepted only on loopback (the emulator), and a URL carrying a
    user name or password is refused without being repeated (it may hold a secret).
    """
    try:
        url = httpx.URL(value.strip())
    except httpx.InvalidURL as exc:
        raise InputError(f"{option}: not a URL ({exc})") from exc
    if url.userinfo:
        raise InputError(
            f"{option}: the URL carries a user name or password (not shown); give "
            "https://host[:port] and the credentials as secret references"
        )
    shown = control_free(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise InputError(f"{option}: {shown!r} must look like https://host[:port]")
    if url.scheme == "http" and not is_safe_page_url(str(url)):
        raise InputError(
            f"{option}: {shown!r}: plain http:// would send the client secret and tokens "
            "unencrypted; it is accepted only on loopback (127.0.0.1, ::1, localhost). "
            "Use https://"
        )
    if url.query or url.fragment:
        raise InputError(f"{option}: {shown!r} must not carry a query or fragment")
    return str(url).rstrip("/")


def _with_slash(path: str) -> str:
    return path if path.startswith("/") else "/" + path
