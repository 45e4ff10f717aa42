"""Serve a loopback HTTP server until SIGINT or SIGTERM (``emulator serve``, ``record``)."""

from __future__ import annotations

import signal
import sys
from typing import Any


def serve_until_stopped(server: Any) -> None:
    """Print ``listening on URL`` (one flushed line, so a parent process can read the port),
    serve until interrupted, then close the server."""

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Both are set explicitly: a process started from a script's background job inherits
    # SIGINT as ignored, and Python then never turns it into KeyboardInterrupt, so Ctrl-C
    # or `kill -INT` (how `record` is meant to be stopped) would do nothing.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        # inside the try: a signal sent the moment the line is read must stop us cleanly
        print(f"listening on {server.base_url}", flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()
