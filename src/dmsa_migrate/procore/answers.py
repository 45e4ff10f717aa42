"""Reading Procore's answers as the untrusted input they are, whichever path carried them.

Why its own module: the client decodes JSON in three places (a single answer, each page
of a list, the token answer), and each must treat the body as hostile: a body that is
not JSON, nested ten thousand levels deep (the decoder's recursion ends in a crash), or
holding a number of five thousand digits is Procore failing, and must end as a clear
:class:`~dmsa_migrate.errors.AnswerError` naming the request, never an internal error.

The client sends through one of two paths (docs/client.md, *Connections*): the lean
HTTP/1.1 path of :mod:`.wire`, or httpx (an injected transport, a proxy). Both answers,
``httpx.Response`` and :class:`.wire.WireResponse`, have the members of :class:`Answer`,
so pagination, error mapping, token parsing and retries are written once against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from dmsa_migrate.errors import AnswerError, FileFormatError
from dmsa_migrate.fileio import parse_json
from dmsa_migrate.models.common import MAX_INT64
from dmsa_migrate.procore._errors import describe_request
from dmsa_migrate.procore.wire import MAX_BODY, WireResponse, fast_json_loads

MAX_ANSWER_BYTES = MAX_BODY
"""The largest body read from one answer. A page of 1,000 projects with every field is a
few megabytes; a server sending gigabytes (a broken proxy, a hostile host given as
``--api-base``) must not take the machine's memory with it."""

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


async def receive(http: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Send ``request`` over httpx and read its answer, at most :data:`MAX_ANSWER_BYTES`.

    (The lean path applies the same cap while it reads: :mod:`.wire`.)

    Raises:
        AnswerError: the answer is (or says it is) larger than the cap; nothing more of it
            is read.
        httpx.TransportError: as :meth:`httpx.AsyncClient.send`.
    """
    response = await http.send(request, stream=True)
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise _too_large(request)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise _too_large(request)
            chunks.append(chunk)
    finally:
        await response.aclose()
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=b"".join(chunks),
        request=request,
        extensions=response.extensions,
    )


def _too_large(request: httpx.Request) -> AnswerError:
    return AnswerError(describe_request(request),
                       f"the answer is larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MiB")


def answer_json(response: Answer) -> Any:
    """The decoded JSON body of ``response`` (``None`` when it is empty).

    On the lean path, orjson decodes first (about half the CPU, docs/performance.md): it
    refuses everything the careful reader refuses (not UTF-8, NaN and infinities, nesting
    past 1,024 levels), and a body it refuses is read again by the careful reader, which
    accepts or names the fault the same way on both paths. One difference remains: an
    integer past 64 bits comes back as a float (never as another whole number), which
    every id check refuses; no Procore field holds such a number. (Scanning each body for
    long digit runs first cost more than the decoding itself.) The httpx path (and the
    benchmarks' before-variants) use the careful reader alone.

    Raises:
        AnswerError: the body is not UTF-8 JSON, or JSON no real answer looks like.
    """
    content = response.content
    if not content:
        return None
    if fast_json_loads is not None and isinstance(response, WireResponse):
        try:
            return fast_json_loads(content)
        except ValueError:  # orjson.JSONDecodeError: the careful reader says why
            pass
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswerError(describe_request(response.request),
                          f"the answer is not UTF-8 (byte {exc.start})") from exc
    try:
        return parse_json(text, "the answer")
    except FileFormatError as exc:
        raise AnswerError(describe_request(response.request), exc.detail) from exc


def answer_id(value: Any, where: str) -> int:
    """An id read from an answer, as a whole number from 1 to 2^63-1.

    Why not ``int(value)``: ``int`` takes ``True`` as 1, ``1.9`` as 1 and ``"12"`` as 12, and
    raises a bare ``ValueError`` (an internal error) on ``"abc"``; an id from Procore that
    is not a whole number means the answer is not what Procore sends, said as such.
    ``where`` names the request and field (``GET /rest/v1.0/me: id``).

    Raises:
        AnswerError: ``value`` is not a whole number in range.
    """
    if type(value) is int and 0 < value <= MAX_INT64:
        return value  # the usual case, first: a fleet checks a few hundred thousand ids
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)  # some answers spell ids as strings of digits
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INT64:
        shown = repr(value)[:40]
        raise AnswerError(where, f"not an id (a whole number from 1 to 2^63-1): {shown}")
    return value


def answer_record(body: Any, where: str) -> dict[str, Any]:
    """``body`` when it is a JSON object, as a single-record answer must be.

    Raises:
        AnswerError: it is a list, a string, a number or null.
    """
    if not isinstance(body, dict):
        raise AnswerError(where, f"the answer is not an object but {_kind(body)}")
    return body


def answer_records(items: list[Any], where: str) -> list[dict[str, Any]]:
    """Every item of a list answer, each a JSON object.

    Raises:
        AnswerError: naming the first item that is not an object.
    """
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise AnswerError(where, f"item {index} of the list is not an object but "
                                     f"{_kind(item)}")
    return items


def _kind(value: Any) -> str:
    names = {list: "a list", str: "a string", bool: "true/false", type(None): "null",
             int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)
