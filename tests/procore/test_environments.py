"""``--env``, ``--api-base`` and ``--login-base`` choose the hosts the client talks to."""

from __future__ import annotations

import pytest

from dmsa_migrate.errors import InputError
from dmsa_migrate.procore import environment_from_options


@pytest.mark.parametrize(
    ("name", "login", "api"),
    [
        ("production", "https://login.procore.com", "https://api.procore.com"),
        ("sandbox", "https://login-sandbox.procore.com", "https://sandbox.procore.com"),
        ("monthly", "https://login-sandbox-monthly.procore.com", "https://api-monthly.procore.com"),
        ("gov", "https://login.procoregov.com", "https://api.procoregov.com"),
    ],
)
def test_named_environments(name: str, login: str, api: str) -> None:
    env = environment_from_options(name)
    assert (env.name, env.login_base, env.api_base) == (name, login, api)
    assert env.login_url("/oauth/token") == login + "/oauth/token"


def test_api_base_alone_serves_login_too_like_the_emulator() -> None:
    env = environment_from_options("production", "http://127.0.0.1:8123/")
    assert env.api_base == env.login_base == "http://127.0.0.1:8123"
    assert env.api_url("rest/v1.0/me") == "http://127.0.0.1:8123/rest/v1.0/me"


def test_separate_login_base() -> None:
    env = environment_from_options(None, "https://api.example", "https://login.example")
    assert (env.api_base, env.login_base) == ("https://api.example", "https://login.example")


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("moon",), "unknown environment 'moon'"),
        (("production", "ftp://host"), "--api-base"),
        (("production", "https://h", "not a url"), "--login-base"),
        (("production", "https://h/?q=1"), "query"),
    ],
)
def test_bad_options_name_the_option(args: tuple[str, ...], text: str) -> None:
    with pytest.raises(InputError, match=text.replace("?", r"\?")):
        environment_from_options(*args)
