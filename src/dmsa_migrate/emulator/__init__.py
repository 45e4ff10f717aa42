"""An independent, faithful Procore emulator driven by a world file.

It serves Procore's login and API paths in-process (httpx transports) and on loopback
(a real HTTP server). It never imports ``dmsa_migrate.procore``: it is a witness of the
API as the reference describes it, so a client bug cannot hide behind shared code.
"""

from __future__ import annotations

from dmsa_migrate.emulator.app import Emulator, Stats
from dmsa_migrate.emulator.clock import ManualClock, WorldClock
from dmsa_migrate.emulator.generate import generate_world
from dmsa_migrate.emulator.http import Request, Response
from dmsa_migrate.emulator.server import serve_in_thread
from dmsa_migrate.emulator.world import World, load_world, parse_world

__all__ = [
    "Emulator",
    "ManualClock",
    "Request",
    "Response",
    "Stats",
    "World",
    "WorldClock",
    "generate_world",
    "load_world",
    "parse_world",
    "serve_in_thread",
]
