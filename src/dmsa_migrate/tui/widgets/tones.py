"""Colours that follow the theme: the two shipped themes, tones for styled text, contrast.

Why: Rich styles such as ``"green"`` in a table cell ignore the theme, and Textual's own
light theme draws success and warning text at 1.5–1.8:1 on its background. Every coloured
text of the TUI therefore comes from :func:`tone` (the theme's ``$text-success`` …,
resolved to a concrete colour), the stylesheet uses the same variables, and the two themes
below are tuned so that each of those text colours reaches WCAG's 4.5:1 on the surfaces
it is drawn on (:func:`contrast`; a test computes it for both themes).
"""

from __future__ import annotations

from typing import Any

from textual.color import Color
from textual.theme import Theme

DARK = Theme(
    name="dmsa-dark",
    primary="#3B82C4",
    secondary="#5684A5",
    accent="#F0A030",
    warning="#F0B429",
    error="#F2707F",
    success="#5CC97B",
    foreground="#E3E6EA",
    background="#14171C",
    surface="#1D2128",
    panel="#27303B",
    dark=True,
    variables={
        "text-muted": "#A3ABB5",
        "text-success": "#7FD89A",
        "text-warning": "#F5C65B",
        "text-error": "#F58A96",
        "text-accent": "#F5B75A",
        "footer-key-foreground": "#F5B75A",
        "block-cursor-background": "#1B3F66",
        "block-cursor-foreground": "#FFFFFF",
    },
)
LIGHT = Theme(
    name="dmsa-light",
    primary="#1F5FA8",
    secondary="#44607A",
    accent="#8A4B00",
    warning="#8A5A00",
    error="#B0213A",
    success="#1E7A3C",
    foreground="#1B1F24",
    background="#F7F8FA",
    surface="#FFFFFF",
    panel="#E4E8EE",
    dark=False,
    variables={
        "text-muted": "#525B66",
        "text-success": "#1C6E37",
        "text-warning": "#7A4F00",
        "text-error": "#A51D35",
        "text-accent": "#7A4200",
        "text-primary": "#1F5FA8",
        "footer-key-foreground": "#7A4200",
        "block-cursor-background": "#DCE8F7",
        "block-cursor-foreground": "#1B1F24",
    },
)
THEMES = (DARK, LIGHT)
DEFAULT_THEME = DARK.name

TONES = ("success", "warning", "error", "muted", "accent")
"""The text tones the screens use: ``tone(app, "error")``."""


def resolve(value: str, background: Color) -> Color:
    """A theme variable as a concrete colour on ``background`` (``auto 87%`` included)."""
    if value.startswith("auto"):
        alpha = float(value.split()[1].rstrip("%")) / 100 if " " in value else 1.0
        return background + background.get_contrast_text(alpha)
    return background + Color.parse(value)


def colour(app: Any, variable: str) -> Color:
    """The theme's ``variable`` as drawn on the theme's background."""
    variables = app.theme_variables
    background = Color.parse(variables["background"])
    return resolve(variables[variable], background)


def tone(app: Any, name: str) -> str:
    """A Rich style for text in tone ``name`` (``""`` and unknown names: plain text)."""
    if name not in TONES:
        return ""
    return colour(app, f"text-{name}").hex


def luminance(color: Color) -> float:
    """WCAG relative luminance of an opaque colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(foreground: Color, background: Color) -> float:
    """WCAG contrast ratio (1 to 21) of ``foreground`` drawn on ``background``."""
    drawn = background + foreground
    light, dark = sorted((luminance(drawn), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
