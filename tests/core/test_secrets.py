"""Secret references resolve only when needed, and every resolved value is redacted."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _reference_redact(forms: list[str], text: str) -> str:
    """The plain algorithm the indexed redactor must agree with: every form, longest first
    (registration order among equal lengths), replaced in turn."""
    order = {form: index for index, form in enumerate(forms)}
    for form in sorted(forms, key=lambda f: (-len(f), order[f])):
        if form in text:
            text = text.replace(form, secrets.REDACTED)
    return text


@given(
    secrets=st.lists(st.text(alphabet="abcd%+=", min_size=4, max_size=12), min_size=1,
                     max_size=60),
    noise=st.lists(st.text(alphabet="abcdxy %+=", max_size=30), max_size=12),
)
@settings(max_examples=150, deadline=None)
def test_the_indexed_redactor_scrubs_exactly_like_the_plain_one(
    secrets: list[str], noise: list[str]
) -> None:
    # Many overlapping secrets from a small alphabet, texts short and long, so both the
    # window lookup (few windows, many forms) and the plain search are taken.
    from dmsa_migrate.secrets import Redactor

    redactor = Redactor()
    for secret in secrets:
        redactor.add(secret)
    forms = list(redactor._forms)  # registration order
    pieces = [part for pair in zip(noise, secrets, strict=False) for part in pair]
    for text in ("".join(pieces), "".join(pieces) * 40, secrets[0], noise[0] if noise else ""):
        assert redactor.redact(text) == _reference_redact(forms, text)


def test_many_secrets_are_still_all_scrubbed() -> None:
    from dmsa_migrate.secrets import Redactor

    redactor = Redactor()
    tokens = [f"tok-{n:05d}-Zq8vLm" for n in range(2000)]  # a 1,000-account fleet's worth
    for token in tokens:
        redactor.add(token)
    line = f"GET https://api.test/x?t={tokens[1234]} and {tokens[7]}"
    marker = secrets.REDACTED
    assert redactor.redact(line) == f"GET https://api.test/x?t={marker} and {marker}"
    assert tokens[42] not in redactor.redact(" ".join(tokens[:100]) * 3)
