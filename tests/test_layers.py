"""The layer rule of ARCHITECTURE.md section 2, checked on every import in the package.

A module may import only its own layer or lower; only ``tui`` imports textual; only
``procore``, ``emulator`` and ``runtime`` import httpx; ``procore`` and ``emulator`` never
import each other; nothing outside ``engagement`` composes steps (the doors run a step for a
session through it); the CLI entry point stays light.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "src" / "dmsa_migrate"

LAYERS: dict[str, int] = {
    "errors": 0, "paths": 0, "fileio": 0, "jsonstream": 0, "secrets": 0, "textsafe": 0,
    "models": 1,
    "procore": 2, "emulator": 2, "permissions": 2, "playbooks": 2, "sessions": 2,
    "conditions": 2, "artifacts": 2,
    "inventory": 3, "manifest": 3, "verify": 3, "checklist": 3,
    "runtime": 4,
    "engagement": 5,
    "cli": 6, "tui": 6, "pipeline": 6, "__main__": 6, "__init__": 0,
}
HTTPX_ALLOWED = {"procore", "emulator", "runtime"}
# The one permitted exception: the CLI starts the TUI, inside a handler (deferred import).
CLI_MAY_IMPORT = {"tui"}


def _component(module_path: Path) -> str:
    relative = module_path.relative_to(PACKAGE_ROOT)
    return relative.parts[0].removesuffix(".py")


def _imports(module_path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE_ROOT.rglob("*.py"))


def test_every_component_has_a_layer() -> None:
    unknown = {_component(path) for path in _modules()} - set(LAYERS)
    assert not unknown, f"add these to LAYERS in tests/test_layers.py: {sorted(unknown)}"


@pytest.mark.parametrize("module_path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE_ROOT)))
def test_module_respects_layer_rule(module_path: Path) -> None:
    own = _component(module_path)
    problems = []
    for name, line in _imports(module_path):
        top = name.split(".")[0]
        where = f"{module_path.relative_to(PACKAGE_ROOT)}:{line} imports {name}"
        if top == "textual" and own != "tui":
            problems.append(f"{where}: only tui may import textual")
        if top == "httpx" and own not in HTTPX_ALLOWED:
            problems.append(f"{where}: only procore, emulator, runtime may import httpx")
        if top != "dmsa_migrate" or name == "dmsa_migrate":
            continue
        target = name.split(".")[1]
        if {own, target} == {"procore", "emulator"}:
            problems.append(f"{where}: procore and emulator never import each other")
        elif own == "emulator" and target == "permissions":
            # The emulator keeps its own module → tool table (emulator/tools.py): an
            # independent witness cannot share the tool's permission map.
            problems.append(f"{where}: the emulator never reads the tool's permission map")
        elif own == "cli" and target in CLI_MAY_IMPORT:
            continue
        elif LAYERS.get(target, 99) > LAYERS[own]:
            problems.append(f"{where}: layer {LAYERS[own]} may not import layer {LAYERS[target]}")
    assert not problems, "\n".join(problems)


STEP_ENTRY_POINTS = {"build_inventory", "generate_manifest", "verify_install", "build_checklist"}
"""The functions that run a step. Only the engagement layer calls them (and each step's
own package); a door that called one would compose the step with rules of its own."""
STEP_OWNERS = {"engagement", "inventory", "manifest", "verify", "checklist"}


def _step_calls(module_path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
            "dmsa_migrate."
        ):
            found.extend(
                (alias.name, node.lineno) for alias in node.names
                if alias.name in STEP_ENTRY_POINTS
            )
        elif isinstance(node, ast.Attribute) and node.attr in STEP_ENTRY_POINTS:
            found.append((node.attr, node.lineno))
    return found


@pytest.mark.parametrize("module_path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE_ROOT)))
def test_only_engagement_composes_steps(module_path: Path) -> None:
    if _component(module_path) in STEP_OWNERS:
        return
    problems = [
        f"{module_path.relative_to(PACKAGE_ROOT)}:{line} uses {name}: run the step through "
        "dmsa_migrate.engagement instead"
        for name, line in _step_calls(module_path)
    ]
    assert not problems, "\n".join(problems)


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(','.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return {name.split(".")[0] for name in result.stdout.strip().split(",")}


def test_cli_import_does_not_load_textual_httpx_or_pydantic() -> None:
    loaded = _loaded_after("import dmsa_migrate.cli")
    assert "textual" not in loaded
    assert "httpx" not in loaded
    assert "pydantic" not in loaded, "command modules import models inside their handlers"


def test_help_does_not_load_textual() -> None:
    loaded = _loaded_after(
        "import contextlib, io\n"
        "from dmsa_migrate.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])"
    )
    assert "textual" not in loaded
