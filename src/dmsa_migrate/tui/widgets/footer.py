"""The footer: the step's keys, help and quit always visible, even at 80 columns.

Textual's footer lists keys from the focused widget outwards, so the app's F1 and ctrl+q
come last and are the first to fall off a narrow terminal. This one puts F1 first and
ctrl+q right after the current step's own keys, and below 100 columns shows each key's
first word only ("r Run" for "Run inventory"): the help screen (F1) gives the full words.
When even that is too long, the screen's own keys and then the step's last keys are left
out of the row (never F1 and ctrl+q); they stay in the help and the palette.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW = 100
"""Below this many columns the descriptions are shortened to their first word."""
FIRST = ("help",)
LAST = ("quit",)


def footer_order(entries: list[tuple[Any, bool, str]]) -> list[tuple[Any, bool, str]]:
    """Help first, then everything in Textual's order (one entry per action), then quit."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry[0].action not in seen:
            seen.add(entry[0].action)
            unique.append(entry)
    first = [e for e in unique if e[0].action in FIRST]
    last = [e for e in unique if e[0].action in LAST]
    middle = [e for e in unique if e[0].action not in FIRST + LAST]
    return first + middle + last


Entry = tuple[Any, bool, str, bool, str]
"""``(binding, enabled, description, from_screen, key_display)``."""


def fit(entries: list[Entry], width: int) -> list[Entry]:
    """Drop keys until the row fits ``width``: the screen's own keys (``esc``) go first,
    then the step's from its last; help and quit always stay (F1 lists every key).

    """
    kept = list(entries)

    def needed() -> int:
        return sum(cell_len(key) + cell_len(text) + 2 for _, _, text, _, key in kept)

    while needed() > width:
        droppable = [e for e in kept if e[0].action not in FIRST + LAST]
        if not droppable:
            break
        screen_level = [e for e in droppable if e[3]]
        kept.remove((screen_level or droppable)[-1])
    return kept


def short(description: str) -> str:
    """The first word of a key's description."""
    return description.split()[0] if description else ""


class KeyFooter(Footer):
    """A compact footer that keeps F1 and ctrl+q (see the module)."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._narrow: bool | None = None

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        screen = self.screen
        nodes = {binding.action: node for (node, binding, _, _) in active.values()}
        entries = [
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in active.values()
            if binding.show and binding.action != "command_palette"
        ]
        width = self.app.size.width
        narrow = self._narrow = width < NARROW
        shown = fit(
            [(binding, enabled, short(binding.description) if narrow else binding.description,
              nodes.get(binding.action) is screen, self.app.get_key_display(binding))
             for binding, enabled, _ in footer_order(entries)],
            width,
        )
        for binding, enabled, description, _, key in shown:
            yield FooterKey(
                binding.key,
                key,
                description,
                binding.action,
                disabled=not enabled,
                tooltip=binding.description,
            ).data_bind(compact=Footer.compact)

    def on_resize(self) -> None:
        if self._narrow is not None and self._narrow != (self.app.size.width < NARROW):
            self.call_after_refresh(self.recompose)
