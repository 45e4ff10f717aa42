"""Read and check the accounts file (ARCHITECTURE 3.2).

Every problem is reported as ``FILE:LINE: field: problem`` (exit 2) before any request is
sent, so a typo never costs a token request against Procore. Checks that pydantic cannot do
on one entry (labels and client ids unique across entries) are done here, with the line of
the second occurrence.
"""

from __future__ import annotations

from pathlib import Path

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import CONFIG_FILE_CAP, read_text, toml_key_line
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.models.common import validate_toml


def parse_accounts(text: str, source: str) -> AccountsFile:
    """Validate accounts-file TOML text; errors name ``source``, the line and the field."""
    parsed = validate_toml(AccountsFile, text, source)
    _check_unique(parsed, text, source)
    return parsed


def load_accounts(path: Path | str) -> AccountsFile:
    """Read and validate an accounts file."""
    return parse_accounts(
        read_text(path, cap=CONFIG_FILE_CAP, what="an accounts file"), str(path)
    )


def _check_unique(parsed: AccountsFile, text: str, source: str) -> None:
    for field in ("label", "client_id"):
        seen: dict[str, int] = {}
        for index, account in enumerate(parsed.accounts):
            value = getattr(account, field)
            if value in seen:
                line = toml_key_line(text, ("accounts", index, field))
                shown = value if field == "label" else "this client id"
                raise FileFormatError(
                    source,
                    f"accounts.{index}.{field}: duplicate {field} ({shown} is already used by "
                    f"accounts.{seen[value]})",
                    line,
                )
            seen[value] = index
