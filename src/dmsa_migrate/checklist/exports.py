"""Write the checklist exports: every requested format from one model, in one run.

Files are customer data: written atomically and private (0600), into a folder created
0700 when missing. Every text passes through :func:`dmsa_migrate.secrets.redact` on its
way out, so a secret resolved earlier in the process can never reach an export even if a
note or a name carried it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from dmsa_migrate.checklist.render_data import render_csv, render_json
from dmsa_migrate.checklist.render_html import render_html
from dmsa_migrate.checklist.render_md import render_markdown
from dmsa_migrate.errors import InputError
from dmsa_migrate.fileio import atomic_write_text, ensure_private_dir, refuse_special_targets
from dmsa_migrate.models.checklist import Checklist
from dmsa_migrate.secrets import redact
from dmsa_migrate.textsafe import control_free

RENDERERS: dict[str, Callable[[Checklist], str]] = {
    "md": render_markdown,
    "html": render_html,
    "json": render_json,
    "csv": render_csv,
}
"""Format name → renderer, in the order files are written and printed."""

FORMATS: tuple[str, ...] = tuple(RENDERERS)
FILE_STEM = "checklist"


def parse_formats(text: str, *, option: str = "--format") -> list[str]:
    """``"md,html"`` → ``["md", "html"]`` (canonical order, no duplicates).

    Raises:
        InputError: an empty list or an unknown format (the message lists the known ones).
    """
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in RENDERERS]
    if unknown:
        raise InputError(
            f"{option}: unknown format {', '.join(repr(u) for u in unknown)} "
            f"(known: {', '.join(FORMATS)})"
        )
    if not wanted:
        raise InputError(f"{option}: give at least one of {', '.join(FORMATS)}")
    return [name for name in FORMATS if name in wanted]


def render(checklist: Checklist, fmt: str) -> str:
    """The text of one export format: secrets redacted, control characters made visible.

    Why here: names and notes from Procore, a world or a session may hold NUL or ESC
    bytes; no export format needs any control but tab and newline (CSV's CRLF line ends
    are put back), so one pass over each whole export covers every renderer.
    """
    text = redact(RENDERERS[fmt](checklist))
    return control_free(text.replace("\r\n", "\n")).replace("\n", "\r\n") if (
        "\r\n" in text
    ) else control_free(text)


def write_exports(
    checklist: Checklist, formats: Iterable[str], out_dir: Path | str
) -> dict[str, Path]:
    """Write ``checklist.<fmt>`` for each format into ``out_dir``; returns format → path."""
    wanted = set(formats)
    unknown = wanted - set(RENDERERS)
    if unknown:
        raise InputError(f"unknown checklist format(s): {', '.join(sorted(unknown))}")
    folder = ensure_private_dir(Path(out_dir).expanduser())
    if not folder.is_dir():
        raise InputError(f"--out: {folder} is not a folder")
    chosen = [fmt for fmt in FORMATS if fmt in wanted]
    refuse_special_targets(*(folder / f"{FILE_STEM}.{fmt}" for fmt in chosen))
    return {
        fmt: atomic_write_text(folder / f"{FILE_STEM}.{fmt}", render(checklist, fmt))
        for fmt in chosen
    }
