"""The demo's accounts file, built from a demo world's fixture data (plain values in).

The lead's demo reads the built-in world (runtime layer) and passes its service accounts
and admin token here together with an ``expose`` function (``runtime.expose_demo_secret``)
that puts each fixture secret in an environment variable of this process and returns its
``env:`` reference. So the demo runs the very same accounts-file path as a user's run,
with references only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dmsa_migrate.models.accounts import AccountEntry, AccountsFile, DirectorySection

Expose = Callable[[str, str], str]
"""``(label, secret) -> reference``."""


@dataclass(frozen=True)
class DemoServiceAccount:
    """What the demo needs of a world's ``[[service_accounts]]`` row (and its user's name)."""

    client_id: str
    client_secret: str
    company_id: int
    user_id: int
    user_name: str = ""


RESERVED_LABELS = frozenset({"dmsa", "directory-admin"})
"""Labels the demo already uses for its other secrets (:func:`demo_accounts`'s callers):
an account named "Directory Admin" must not take over the admin token's reference."""

LABEL_LENGTH = 80
"""The accounts file's label limit (``models.accounts.LABEL_PATTERN``)."""


def label_words(text: str) -> str:
    """``text`` as a label: lower-case ASCII words joined by ``-``, at most 80 characters.

    Why: a Procore user name may hold any character (``ERP Sync (old)``, ``Zoë's bot``,
    emoji), while a label is the accounts file's restricted form. Accents are dropped,
    every other character that is not a letter or digit separates words; empty when
    nothing is left.
    """
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.split(r"[^a-z0-9]+", plain.lower())
    return "-".join(word for word in words if word)[:LABEL_LENGTH].strip("-")


def demo_label(account: DemoServiceAccount, taken: frozenset[str] | set[str] = frozenset()) -> str:
    """A readable, valid label not in ``taken``: the user's name, else the client id.

    Two accounts whose users share a name get ``name``, ``name-2``, ...; a name with no
    letter or digit falls back to the client id, then to ``account``.
    """
    base = label_words(account.user_name) or label_words(account.client_id) or "account"
    label, number = base, 2
    while label in taken or label in RESERVED_LABELS:
        suffix = f"-{number}"
        label = base[: LABEL_LENGTH - len(suffix)].rstrip("-") + suffix
        number += 1
    return label


def demo_accounts(
    service_accounts: Iterable[DemoServiceAccount],
    admin_token: str | None,
    expose: Expose,
    *,
    with_user_ids: bool = True,
) -> AccountsFile:
    """An accounts file for the demo world.

    ``with_user_ids``: write each account's Directory ``user_id`` (as a well-prepared user
    would); without it the revoked account shows candidates instead of its access.
    """
    entries = []
    taken: set[str] = set()
    for account in service_accounts:
        label = demo_label(account, taken)
        taken.add(label)
        entries.append(
            AccountEntry(
                label=label,
                client_id=account.client_id,
                client_secret=expose(label, account.client_secret),
                company_id=account.company_id,
                user_id=account.user_id if with_user_ids else None,
            )
        )
    directory = (
        DirectorySection(token=expose("directory-admin", admin_token)) if admin_token else None
    )
    return AccountsFile(accounts=entries, directory=directory)
