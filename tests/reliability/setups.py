"""Inputs for the reliability tests: a demo world and a code tree seeded with canaries.

Why the demo world: it has every case the pipeline handles (two live old accounts, a
revoked one, a Directory admin token, an app installed, hand-edited and disconnected), so
one run exercises every code path that touches a secret.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tests.reliability import canaries

DMSA_CLIENT_ID = "dmsa-acme-sync-2f6b8d4e1a9c"
ACME_CLIENT_ID = "tsa-acme-erp-sync-6c1f0e2d"
BAYVIEW_CLIENT_ID = "tsa-bayview-reporting-0a4d77b1"
CEDAR_CLIENT_ID = "tsa-cedar-docs-93e5b2c8"

_DEMO_SECRETS = {
    "tsa-secret-acme-erp-5b9e1f7a3c2d": canaries.TSA_ACME,
    "tsa-secret-bayview-rpt-8e2c4a6d0f1b": canaries.TSA_BAYVIEW,
    "tsa-secret-cedar-docs-1d7f3b9e5a0c": canaries.TSA_CEDAR,
    "dmsa-secret-acme-sync-7c3e9a1f5b2d": canaries.DMSA_SECRET,
    "demo-admin-token-dana-3f9a1c7e5b": canaries.ADMIN_TOKEN,
}

ENV = {
    "CANARY_TSA_ACME": canaries.TSA_ACME,
    "CANARY_TSA_CEDAR": canaries.TSA_CEDAR,
    "CANARY_DMSA": canaries.DMSA_SECRET,
    "CANARY_ADMIN_TOKEN": canaries.ADMIN_TOKEN,
    "CANARY_WRONG": canaries.WRONG_SECRET,
    "CANARY_REFUSED_TOKEN": canaries.REFUSED_TOKEN,
}


def demo_text() -> str:
    """The built-in demo world file's text."""
    worlds = resources.files("dmsa_migrate.emulator").joinpath("worlds")
    return worlds.joinpath("demo.toml").read_text(encoding="utf-8")


def canary_world_text() -> str:
    """The demo world with every fixture secret replaced by a canary, and roomy limits
    (the secrets test runs against real loopback HTTP with the real clock)."""
    text = demo_text()
    for old, new in _DEMO_SECRETS.items():
        assert f'"{old}"' in text, old
        text = text.replace(f'"{old}"', json.dumps(new, ensure_ascii=False))
    text = re.sub(r"(?m)^spike = \d+$", "spike = 10000", text)
    return re.sub(r"(?m)^spike_window_s = \d+$", "spike_window_s = 1", text)


@dataclass(frozen=True)
class Inputs:
    """Files a user would hold: they legitimately contain secrets and are not searched."""

    folder: Path
    world: Path
    accounts: Path
    code: Path
    activity: Path


def write_inputs(folder: Path) -> Inputs:
    """The world, the accounts file (references only), a secret file, a code tree and the
    Activity Report, under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    world = folder / "world.toml"
    world.write_text(canary_world_text(), encoding="utf-8")
    secret_file = folder / "bayview.secret"
    secret_file.write_text(canaries.TSA_BAYVIEW + "\n", encoding="utf-8")
    accounts = folder / "accounts.toml"
    accounts.write_text(
        f"""
[[accounts]]
label = "acme-erp-sync"
client_id = "{ACME_CLIENT_ID}"
client_secret = "env:CANARY_TSA_ACME"
company_id = 101
user_id = 9001

[[accounts]]
label = "bayview-reporting"
client_id = "{BAYVIEW_CLIENT_ID}"
client_secret = "file:{secret_file}"
company_id = 202
user_id = 9002

[[accounts]]
label = "cedar-docs"
client_id = "{CEDAR_CLIENT_ID}"
client_secret = "env:CANARY_TSA_CEDAR"
company_id = 303

[directory]
token = "env:CANARY_ADMIN_TOKEN"
""",
        encoding="utf-8",
    )
    code = folder / "erp-sync"
    (code / "config").mkdir(parents=True)
    (code / ".env").write_text(
        f"PROCORE_CLIENT_ID={BAYVIEW_CLIENT_ID}\nPROCORE_CLIENT_SECRET={canaries.TSA_BAYVIEW}\n",
        encoding="utf-8",
    )
    (code / "config" / "settings.yaml").write_text(
        f"procore:\n  client_id: {ACME_CLIENT_ID}\n  client_secret: {canaries.CODE_SECRET}\n",
        encoding="utf-8",
    )
    (code / "sync.py").write_text(
        "import httpx\n\n"
        f'PROCORE_CLIENT_SECRET = "{canaries.CODE_SECRET}"\n\n\n'
        "def rfis(client, project_id):\n"
        '    return client.get(f"https://api.procore.com/rest/v1.0/projects/{project_id}/rfis")\n\n\n'
        "def log(client, project_id):\n"
        '    return client.post(f"/rest/v1.0/projects/{project_id}/daily_logs")\n',
        encoding="utf-8",
    )
    activity = folder / "activity.csv"
    demo_csv = resources.files("dmsa_migrate.emulator").joinpath("worlds", "demo-activity.csv")
    activity.write_text(demo_csv.read_text(encoding="utf-8"), encoding="utf-8")
    return Inputs(folder, world, accounts, code, activity)


def set_canary_env(monkeypatch: object) -> None:
    """Put the canaries in the environment as a user's shell would (``env:`` references)."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)  # type: ignore[attr-defined]


def environ_snapshot() -> dict[str, str]:
    """The process environment, to restore after a run that exports demo secrets."""
    return dict(os.environ)
