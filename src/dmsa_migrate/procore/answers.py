"""What the client reads from an answer, whichever HTTP path carried it.

The client sends through one of two paths (docs/client.md, *Connections*): the lean
HTTP/1.1 path of :mod:`.wire`, or httpx (an injected transport, a proxy). Both answers,
``httpx.Response`` and :class:`.wire.WireResponse`, have these members, so pagination,
error mapping, token parsing and retries are written once, against these protocols.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class SentRequest(Protocol):
    """A request as it went out: errors and progress events name it as ``METHOD URL``."""

    @property
    def method(self) -> str: ...

    @property
    def url(self) -> Any: ...  # httpx.URL or str: ``str()`` of either is the URL


class Answer(Protocol):
    """A complete HTTP answer: status, headers, body, and the request it answers."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...  # case-insensitive lookups

    @property
    def content(self) -> bytes: ...

    @property
    def text(self) -> str: ...

    @property
    def request(self) -> SentRequest: ...

    @property
    def links(self) -> Mapping[Any, Mapping[str, str]]: ...  # by rel

    def json(self) -> Any: ...
