"""The Textual TUI: a guided walk through the four steps of a session.

Only this package imports textual (a test enforces it). ``dmsa_migrate.cli`` imports
:func:`dmsa_migrate.tui.app.make_app` inside the ``tui`` and ``demo`` handlers, so the CLI
stays light. Screens never do IO in event handlers: they start workers (docs/tui.md).
"""
