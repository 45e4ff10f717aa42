"""The coverage bar: matched / missing / extra projects of a company, seen at a glance.

:func:`coverage_text` renders into a table cell; :class:`CoverageBar` is the same as a
widget for the drill-down. Green is matched, red is missing (the old account reached it,
the app may not), yellow is extra (the app may, the old account did not).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

BAR = "█"
EMPTY = "·"


def _cells(counts: list[int], width: int) -> list[int]:
    total = sum(counts)
    if total == 0:
        return [0 for _ in counts]
    cells = [round(count * width / total) for count in counts]
    for index, count in enumerate(counts):  # a non-zero part is never invisible
        if count and not cells[index]:
            cells[index] = 1
    while sum(cells) > width:
        cells[cells.index(max(cells))] -= 1
    return cells


DEFAULT_TONES = ("green", "red", "yellow")


def coverage_tones(app: Any) -> tuple[str, str, str]:
    """Matched / missing / extra colours from the app's theme (legible on light themes)."""
    from dmsa_migrate.tui.widgets.tones import tone

    return (tone(app, "success"), tone(app, "error"), tone(app, "warning"))


def coverage_text(
    matched: int, missing: int, extra: int, width: int = 16,
    tones: tuple[str, str, str] = DEFAULT_TONES,
) -> Text:
    """``████████▌░░ 7/8 +0`` as styled text for a table cell."""
    text = Text()
    styles = tones
    cells = _cells([matched, missing, extra], width)
    for cell, style in zip(cells, styles, strict=True):
        text.append(BAR * cell, style=style)
    text.append(EMPTY * (width - sum(cells)), style="dim")
    needed = matched + missing
    text.append(f" {matched}/{needed}")
    if extra:
        text.append(f" +{extra}", style=styles[2])
    return text


class CoverageBar(Static):
    """A labelled coverage bar for one company."""

    def show(self, matched: int, missing: int, extra: int) -> None:
        """Redraw with new counts."""
        text = coverage_text(matched, missing, extra, width=24, tones=coverage_tones(self.app))
        text.append(f"   matched {matched} · missing {missing} · extra {extra}", style="dim")
        self.update(text)
