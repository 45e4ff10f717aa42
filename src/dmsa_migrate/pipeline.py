"""``demo --headless``'s entry: a thin caller of :mod:`dmsa_migrate.engagement.headless`.

Kept as a module of its own because scripts and tests import ``run_headless_demo`` from
here; it composes nothing (the engagement runs every step).
"""

from __future__ import annotations

from dmsa_migrate.engagement.headless import PipelineResult, run_headless_demo

__all__ = ["PipelineResult", "run_headless_demo"]
