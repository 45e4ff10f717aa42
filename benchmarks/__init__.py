"""Request-count, wall-time, memory and TUI benchmarks of dmsa-migrate against the emulator.

Run ``python -m benchmarks.run --quick`` (a couple of minutes) or ``python -m benchmarks.run``
(the issue's 20 x 500 world). Results are printed as Markdown; docs/performance.md records
a run. Nothing here is a test: timings are measured, never asserted.
"""
