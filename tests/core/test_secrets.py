"""Secret references resolve only when needed, and every resolved value is redacted."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import pytest

from dmsa_migrate import secrets
from dmsa_migrate.errors import SecretReferenceError

CANARY = "canary-S3cr3t/+value=="


@pytest.mark.parametrize(
    "text", ["env:ACME_SECRET", "file:~/s.txt", "keyring:procore/acme", "prompt"]
)
def test_references_are_recognised(text: str) -> None:
    assert secrets.is_reference(text)
    assert str(secrets.parse_ref(text)) == text


@pytest.mark.parametrize("text", [CANARY, "env:", "env:1BAD", "keyring:noslash", "vault:x"])
def test_literals_and_malformed_references_are_refused_without_echo(text: str) -> None:
    with pytest.raises(SecretReferenceError) as caught:
        secrets.parse_ref(text, field="accounts[0].client_secret")
    assert "accounts[0].client_secret" in str(caught.value)
    assert CANARY not in str(caught.value)


def test_env_reference_resolves_and_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", CANARY)
    assert secrets.resolve("env:ACME_SECRET") == CANARY
    text = f"token request with {CANARY} failed"
    assert CANARY not in secrets.redact(text)


def test_missing_env_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_SECRET", raising=False)
    with pytest.raises(SecretReferenceError, match="NOPE_SECRET is not set"):
        secrets.resolve("env:NOPE_SECRET")


def test_file_reference_reads_first_line(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(CANARY + "\nsecond line\n")
    assert secrets.resolve(f"file:{path}") == CANARY


def test_keyring_without_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "keyring":
            raise ImportError("no keyring")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(SecretReferenceError, match="keyring extra"):
        secrets.resolve("keyring:procore/acme")


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s,
        lambda s: urllib.parse.quote(s, safe=""),
        lambda s: urllib.parse.quote_plus(s),
        lambda s: json.dumps(s),
        lambda s: base64.b64encode(s.encode()).decode(),
    ],
    ids=["plain", "url", "url-plus", "json", "base64"],
)
def test_redaction_covers_encoded_forms(encode: object) -> None:
    secrets.REDACTOR.add(CANARY)
    text = f"body={encode(CANARY)};"  # type: ignore[operator]
    assert secrets.REDACTED in secrets.redact(text)
    assert encode(CANARY) not in secrets.redact(text)  # type: ignore[operator]


def test_client_id_is_masked() -> None:
    masked = secrets.mask_client_id("tsa-acme-erp-sync-6c1f0e2d")
    assert masked == "tsa-…2d"
    assert "erp-sync" not in masked


def test_storing_in_a_plaintext_keyring_warns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``login --keyring`` on a plaintext backend says the token is not encrypted."""
    import sys
    import types

    from dmsa_migrate.secrets import keyring_store

    class PlaintextKeyring:
        def __init__(self) -> None:
            self.stored: dict[tuple[str, str], str] = {}

        def set_password(self, service: str, name: str, value: str) -> None:
            self.stored[service, name] = value

    backend = PlaintextKeyring()
    fake = types.ModuleType("keyring")
    fake.get_keyring = lambda: backend  # type: ignore[attr-defined]
    fake.set_password = backend.set_password  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    keyring_store("dmsa-migrate", "login x", "token-canary-93f1", field="--keyring")
    err = capsys.readouterr().err
    assert "--keyring" in err and "unencrypted" in err
    assert "token-canary-93f1" not in err
    assert backend.stored == {("dmsa-migrate", "login x"): "token-canary-93f1"}
