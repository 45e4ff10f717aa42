"""The hand-written test servers of ``_fakes`` served for real: TLS on loopback.

The client's unit tests describe a server as a function ``httpx.Request -> httpx.Response``
(``httpx.MockTransport``'s shape). To test the lean HTTP path (``procore/wire.py``) with the
same tests, :class:`HandlerServer` runs such a function behind a real HTTPS server on
127.0.0.1, with a certificate for ``api.test`` and ``login.test`` signed by a throwaway CA
that the test trusts through ``SSL_CERT_FILE`` (as a user would point the tool at a
corporate CA). A handler that *raises* a transport error is played as what it stands for:
a timeout keeps the connection silent until the client gives up, anything else closes it
without an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import inspect
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

HOSTS = ("api.test", "login.test")


async def _next_chunk(chunks: Any) -> bytes | None:
    try:
        return bytes(await chunks.__anext__())
    except StopAsyncIteration:
        return None


@dataclass(frozen=True)
class TestCertificates:
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_certificates(folder: Path) -> TestCertificates:
    """A CA and a server certificate for :data:`HOSTS` (needs ``cryptography``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dmsa-migrate test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTS[0])]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in HOSTS]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TestCertificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    files.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


Handler = Callable[[httpx.Request], httpx.Response]


class _Exchange(BaseHTTPRequestHandler):
    server: HandlerServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or HOSTS[0]
        request = httpx.Request(
            self.command, f"https://{host}{self.path}",
            headers=list(self.headers.items()), content=body,
        )
        try:
            response = self.server.answer(request)
        except httpx.TimeoutException:
            self._stay_silent()
            return
        except Exception:  # a transport failure (or a broken handler): no answer at all
            self.close_connection = True
            return
        if not isinstance(response.stream, httpx.ByteStream):
            self._stream(response)
            return
        self.send_response_only(response.status_code)
        for name, value in response.headers.multi_items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.content)

    def _stream(self, response: httpx.Response) -> None:
        """A streamed body (possibly endless): sent as it comes, chunked unless the handler
        declared a length, until it ends or the client hangs up."""
        self.close_connection = True
        self.send_response_only(response.status_code)
        declared = "content-length" in response.headers
        for name, value in response.headers.multi_items():
            if name.lower() not in ("transfer-encoding", "connection"):
                self.send_header(name, value)
        if not declared:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in self.server.chunks(response):
                self.wfile.write(chunk if declared else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if not declared:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client stopped reading: what these tests are about

    def _stay_silent(self) -> None:
        """Answer nothing until the client hangs up (its timeout), at most 10 s."""
        self.close_connection = True
        self.connection.settimeout(10)
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline and self.connection.recv(1024):
                pass
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class HandlerServer(ThreadingHTTPServer):
    """``handler`` over HTTPS on 127.0.0.1 (``port``), in a background thread."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(
        self,
        handler: Handler,
        certificates: TestCertificates,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.handler = handler
        self.loop = loop
        super().__init__(("127.0.0.1", 0), _Exchange)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificates.cert_file, certificates.key_file)
        self._tls = context
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02})
        self._thread.daemon = True
        self._thread.start()

    def answer(self, request: httpx.Request) -> httpx.Response:
        """Call the handler; an ``async`` one runs on the test's event loop, where the
        objects it may wait on (``asyncio.Event``) live, as ``MockTransport`` runs it."""
        result: Any = self.handler(request)
        if inspect.iscoroutine(result):
            assert self.loop is not None, "an async handler needs the test's loop"
            result = asyncio.run_coroutine_threadsafe(result, self.loop).result(timeout=30)
        if isinstance(result.stream, httpx.ByteStream):
            result.read()
        return result  # type: ignore[no-any-return]

    def chunks(self, response: httpx.Response) -> Iterator[bytes]:
        """The chunks of a streamed body, each taken on the test's loop (async streams)."""
        stream: Any = response.stream
        if not hasattr(stream, "__aiter__"):
            yield from stream
            return
        assert self.loop is not None, "an async stream needs the test's loop"
        chunks = stream.__aiter__()
        while not self.loop.is_closed():
            step = _next_chunk(chunks)
            try:
                chunk = asyncio.run_coroutine_threadsafe(step, self.loop).result(timeout=5)
            except Exception:  # the test (and its loop) ended while the body was still going
                with contextlib.suppress(RuntimeError, ValueError):
                    step.close()  # never started: closed, not left to warn "never awaited"
                return
            if chunk is None:
                return
            yield chunk

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        sock.settimeout(10)
        return self._tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up mid-handshake is part of some tests: not an error."""

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
