"""Reading Procore's answers as the untrusted input they are.

Why its own module: the client decodes JSON in three places (a single answer, each page
of a list, the token answer), and each must treat the body as hostile: a body that is
not JSON, nested ten thousand levels deep (the decoder's recursion ends in a crash), or
holding a number of five thousand digits is Procore failing, and must end as a clear
:class:`~dmsa_migrate.errors.AnswerError` naming the request, never an internal error.
"""

from __future__ import annotations

from typing import Any

import httpx

from dmsa_migrate.errors import AnswerError, FileFormatError
from dmsa_migrate.fileio import parse_json
from dmsa_migrate.procore._errors import describe_request

MAX_ANSWER_BYTES = 64 * 1024 * 1024
"""The largest body read from one answer. A page of 1,000 projects with every field is a
few megabytes; a server sending gigabytes (a broken proxy, a hostile host given as
``--api-base``) must not take the machine's memory with it."""


async def receive(http: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Send ``request`` and read its answer, at most :data:`MAX_ANSWER_BYTES` of it.

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


def answer_json(response: httpx.Response) -> Any:
    """The decoded JSON body of ``response`` (``None`` when it is empty).

    Raises:
        AnswerError: the body is not UTF-8 JSON, or JSON no real answer looks like.
    """
    if not response.content:
        return None
    try:
        text = response.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswerError(describe_request(response.request),
                          f"the answer is not UTF-8 (byte {exc.start})") from exc
    try:
        return parse_json(text, "the answer")
    except FileFormatError as exc:
        raise AnswerError(describe_request(response.request), exc.detail) from exc
