"""The accounts file (ARCHITECTURE 3.2, contract): the old service accounts to inventory.

Secrets are written as references (``env:``, ``file:``, ``keyring:``, ``prompt``), never as
values: the file is meant to be shared with a consultant and kept next to the integration's
code, so a literal secret in it is refused before anything else happens. The refusal never
repeats the value (pydantic's messages do not carry the input, and ours do not either).
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from dmsa_migrate.errors import SecretReferenceError
from dmsa_migrate.models.common import Id, StrictModel
from dmsa_migrate.secrets import is_reference, parse_ref

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{5,199}$")
"""Procore client ids are long hex strings; we accept any id made of URL-safe characters
(6 to 200 of them) so sandboxes and the emulator's readable fixture ids fit too."""

LABEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,79}$")

_REFERENCE_HINT = (
    "not a secret reference; write env:NAME, file:PATH, keyring:SERVICE/NAME or prompt, "
    "never the secret itself"
)


def _check_reference(value: str | None) -> str | None:
    """Refuse a literal secret and a malformed reference (``env:`` + an expanded secret)
    at load time, with a message that never repeats the value."""
    if value is not None and not is_reference(value):
        raise ValueError(_REFERENCE_HINT)
    if value is not None:
        try:
            parse_ref(value, field="reference")
        except SecretReferenceError as exc:
            raise ValueError(exc.message.removeprefix("reference: ")) from None
    return value


def _check_client_id(value: str | None) -> str | None:
    if value is not None and not CLIENT_ID_PATTERN.match(value):
        raise ValueError(
            "malformed client id: 6-200 letters, digits, '.', '_' or '-' (copy it from the "
            "Procore service-account page)"
        )
    return value


class AccountEntry(StrictModel):
    """One old traditional service account."""

    label: str = Field(description="unique name used in every output")
    client_id: str
    client_secret: str = Field(description="a secret reference")
    company_id: Id = Field(description="the company the old account belongs to")
    user_id: Id | None = Field(default=None, description="its Directory user, if known")

    @field_validator("label")
    @classmethod
    def _label_shape(cls, value: str) -> str:
        if not LABEL_PATTERN.match(value):
            raise ValueError(
                "label: 1-80 characters, starting with a letter or digit "
                "(letters, digits, space, '.', '_', ':', '/', '-')"
            )
        return value

    @field_validator("client_id")
    @classmethod
    def _client_id_shape(cls, value: str) -> str:
        checked = _check_client_id(value)
        assert checked is not None
        return checked

    @field_validator("client_secret")
    @classmethod
    def _secret_is_reference(cls, value: str) -> str:
        checked = _check_reference(value)
        assert checked is not None
        return checked


class DirectorySection(StrictModel):
    """A credential that can read the Company Directory: exactly one of three forms.

    * ``token``: an admin's user access token (a reference);
    * ``login = true``: the token of ``dmsa-migrate login``;
    * ``client_id`` + ``client_secret``: a DMSA whose app has Directory read.
    """

    token: str | None = None
    login: bool = False
    client_id: str | None = None
    client_secret: str | None = None

    @field_validator("token", "client_secret")
    @classmethod
    def _secret_is_reference(cls, value: str | None) -> str | None:
        return _check_reference(value)

    @field_validator("client_id")
    @classmethod
    def _client_id_shape(cls, value: str | None) -> str | None:
        return _check_client_id(value)

    @model_validator(mode="after")
    def _one_form(self) -> DirectorySection:
        forms = [
            self.token is not None,
            self.login,
            self.client_id is not None or self.client_secret is not None,
        ]
        if sum(forms) != 1:
            raise ValueError(
                "give exactly one of: token = REF, login = true, or client_id + client_secret"
            )
        if (self.client_id is None) != (self.client_secret is None):
            raise ValueError("a DMSA directory credential needs both client_id and client_secret")
        return self


class AccountsFile(StrictModel):
    """The whole accounts file."""

    accounts: list[AccountEntry] = Field(min_length=1)
    directory: DirectorySection | None = None
