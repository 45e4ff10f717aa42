"""The package's public surface is explicit and the client never imports the emulator."""

from __future__ import annotations

import subprocess
import sys

import dmsa_migrate.procore as procore


def test_all_names_exist_and_are_sorted() -> None:
    assert all(hasattr(procore, name) for name in procore.__all__)
    constants = [n for n in procore.__all__ if n.isupper()]
    others = [n for n in procore.__all__ if not n.isupper()]
    assert procore.__all__ == constants + others
    assert constants == sorted(constants)
    assert others == sorted(others, key=lambda n: (n[0].islower(), n))


def test_importing_the_client_loads_no_emulator_and_no_textual() -> None:
    code = (
        "import sys, dmsa_migrate.procore; "
        "bad = [m for m in sys.modules if m.startswith(('dmsa_migrate.emulator', 'textual'))]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
