"""Turn Procore's error answers and transport failures into :mod:`dmsa_migrate.errors`.

Procore's error bodies are not uniform (``message``, ``errors`` as a string, list or
dict, ``error`` as a string or an object, ``reason``, OAuth's ``error_description``), so
:func:`procore_message` looks in each place and joins what it finds. Every error names the
request as ``METHOD URL`` passed through :func:`dmsa_migrate.secrets.redact`, so a secret
can never ride along in a message even if a caller put one in a query string.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from dmsa_migrate import errors
from dmsa_migrate.procore.wire import WireError
from dmsa_migrate.secrets import redact

if TYPE_CHECKING:  # answers.py imports this module: the protocols are for typing only
    from dmsa_migrate.procore.answers import Answer, SentRequest

NOT_CONNECTED_MARKER = "not connected to this company"
_MAX_MESSAGE = 300


def describe_request(request: SentRequest) -> str:
    """``METHOD URL`` of a request, scrubbed of every registered secret."""
    return redact(f"{request.method} {request.url}")


def procore_message(response: Answer) -> str | None:
    """The human message in an error body, wherever Procore put it; ``None`` if none."""
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested or numbers too long
        text = response.text.strip()
        return redact(text[:_MAX_MESSAGE]) if text and not text.startswith("<") else None
    try:
        parts = _collect(body)
    except RecursionError:  # nested just short of the decoder's limit: no message in it
        return None
    unique = list(dict.fromkeys(part for part in parts if part))
    if not unique:
        return None
    return redact("; ".join(unique)[:_MAX_MESSAGE])


def _collect(body: Any) -> list[str]:
    """Gather message strings from the known places in a decoded error body."""
    if isinstance(body, str):
        return [body.strip()]
    if isinstance(body, list):
        return [text for item in body for text in _collect(item)]
    if not isinstance(body, dict):
        return []
    found: list[str] = []
    oauth_error = body.get("error")
    description = body.get("error_description")
    if isinstance(oauth_error, str) and isinstance(description, str):
        return [f"{oauth_error}: {description.strip()}"]
    for key in ("message", "errors", "error", "reason", "error_description"):
        if key in body:
            found.extend(_collect_value(body[key]))
    return found


def _collect_value(value: Any) -> list[str]:
    """A field's messages: strings as they are, objects by their message/error keys."""
    if isinstance(value, dict):
        nested = _collect(value)
        if nested:
            return nested
        # {"errors": {"name": ["can't be blank"]}}: Rails-style field errors.
        return [f"{key} {'; '.join(_collect(item))}".strip() for key, item in value.items()]
    return _collect(value)


def error_for_response(response: Answer, company_id: int | None = None) -> errors.ApiError:
    """The :class:`~dmsa_migrate.errors.ApiError` subclass that fits an error response."""
    request = describe_request(response.request)
    message = procore_message(response)
    status = response.status_code
    cls = _error_class(status, message)
    return cls(request, status, message, company_id)


def _error_class(status: int, message: str | None) -> type[errors.ApiError]:
    if status == 401:
        return errors.AuthenticationError
    if status == 403:
        if message and NOT_CONNECTED_MARKER in message.lower():
            return errors.AppNotConnectedError
        return errors.ForbiddenError
    if status == 404:
        return errors.NotFoundError
    if status == 429:
        return errors.RateLimitedError
    if status >= 500:
        return errors.ServerError
    return errors.BadRequestError


def credentials_rejected(response: Answer) -> errors.CredentialsRejectedError:
    """The token endpoint refused a grant: keep OAuth's error and description only."""
    return errors.CredentialsRejectedError(
        describe_request(response.request), response.status_code, procore_message(response)
    )


def transport_error(
    request: SentRequest, exc: httpx.TransportError | WireError
) -> errors.TransportError:
    """Wrap a transport failure (timeout, refused, dropped) with the request named."""
    timed_out = isinstance(exc, httpx.TimeoutException) or getattr(exc, "timed_out", False)
    kind = "timed out" if timed_out else "no answer"
    detail = redact(str(exc)) or type(exc).__name__
    return errors.TransportError(describe_request(request), f"{kind} ({detail})")
