"""Every test module that builds its clients with ``_fakes.make_client`` runs twice: over
httpx (``MockTransport``) and over the lean HTTP/1.1 path against a real TLS server on
loopback, so each client behaviour is checked on both paths the client can take."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from . import _fakes


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if getattr(metafunc.module, "make_client", None) is _fakes.make_client:
        metafunc.parametrize("http_path", ["httpx", "lean"], indirect=True)


@pytest.fixture(scope="session")
def test_certificates(tmp_path_factory: pytest.TempPathFactory) -> _fakes.TestCertificates:
    pytest.importorskip("cryptography", reason="the lean path's TLS tests need a test CA")
    from ._loopback import make_certificates

    return make_certificates(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture(autouse=True)
def http_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The path ``make_client`` uses in this test (``httpx`` unless parametrised)."""
    path = getattr(request, "param", "httpx")
    if path == "lean":
        certificates = request.getfixturevalue("test_certificates")
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))  # trust the test CA
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy",
                     "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        _fakes.PATHS.certificates = certificates
    _fakes.PATHS.current = path
    try:
        yield path
    finally:
        _fakes.PATHS.current = "httpx"
        _fakes.PATHS.stop_servers()
