"""The emulator over real HTTP on loopback, using only the standard library.

Why stdlib: no extra dependency, and ThreadingHTTPServer is enough for tests, demos and
benchmarks. A dropped-connection fault closes the socket without writing a byte.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from dmsa_migrate.emulator.http import Request

if TYPE_CHECKING:
    from dmsa_migrate.emulator.app import Emulator


class _Handler(BaseHTTPRequestHandler):
    server: EmulatorHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (about 40 ms on Linux) and every answer looks slower
    # than the latency the world asks for.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Silence per-request logging: results go to stdout, nothing else does."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, f"http://{host}{self.path}", headers, body)
        response = self.server.emulator.handle(request)
        if response.delay_s:
            time.sleep(response.delay_s)
        if response.drop:
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        # send_response_only: the stdlib would add a Date in real time; the emulator's
        # response carries one in world time already.
        self.send_response_only(response.status)
        self.send_header("Server", self.version_string())
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The listen backlog. socketserver's default of 5 is too small for a client that opens
    # a few dozen connections at once (verify reads companies concurrently): the kernel
    # drops the extra connection attempts and the client's retransmission comes 1 s later,
    # a stall of the whole run that has nothing to do with the world's latency.
    request_queue_size = 128

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}"


@contextmanager
def serve_in_thread(emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``emulator`` on loopback in a background thread; yields the base URL."""
    server = EmulatorHTTPServer(emulator, host, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
