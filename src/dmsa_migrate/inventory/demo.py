"""The demo's accounts file, built from a demo world's fixture data (plain values in).

The lead's demo reads the built-in world (runtime layer) and passes its service accounts
and admin token here together with an ``expose`` function (``runtime.expose_demo_secret``)
that puts each fixture secret in an environment variable of this process and returns its
``env:`` reference. So the demo runs the very same accounts-file path as a user's run,
with references only.
"""

from __future__ import annotations

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


def demo_label(account: DemoServiceAccount) -> str:
    """A readable label: the user's name, else the client id."""
    base = account.user_name or account.client_id
    return "-".join(part for part in base.lower().replace("_", " ").split() if part)


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
    for account in service_accounts:
        label = demo_label(account)
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
