"""Procore's varied error bodies become one readable message and the right error class."""

from __future__ import annotations

import httpx
import pytest

from dmsa_migrate import errors
from dmsa_migrate.procore._errors import error_for_response, procore_message, transport_error
from dmsa_migrate.secrets import REDACTOR


def answer(status: int, **kwargs: object) -> httpx.Response:
    request = httpx.Request("GET", "https://api.test/rest/v1.0/projects?page=2")
    return httpx.Response(status, request=request, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "Project not found"}, "Project not found"),
        ({"errors": "You do not have access"}, "You do not have access"),
        ({"errors": ["name is missing", "date is bad"]}, "name is missing; date is bad"),
        ({"errors": {"name": ["can't be blank"]}}, "name can't be blank"),
        ({"error": "The access token is invalid"}, "The access token is invalid"),
        ({"error": {"code": 400, "message": "Bad filter"}}, "Bad filter"),
        ({"error": {"error": "Rate limit exceeded"}}, "Rate limit exceeded"),
        ({"code": 401, "reason": "expired", "message": "Unauthorized"}, "Unauthorized; expired"),
        (
            {"error": "invalid_client", "error_description": "Client authentication failed"},
            "invalid_client: Client authentication failed",
        ),
        ({"unexpected": True}, None),
        ([], None),
    ],
)
def test_message_is_found_wherever_procore_put_it(body: object, expected: str | None) -> None:
    assert procore_message(answer(400, json=body)) == expected


def test_plain_text_body_is_the_message_and_html_is_ignored() -> None:
    assert procore_message(answer(502, text="Bad gateway")) == "Bad gateway"
    assert procore_message(answer(502, text="<html><body>oops</body></html>")) is None


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, {"errors": "bad"}, errors.BadRequestError),
        (422, {"errors": "invalid"}, errors.BadRequestError),
        (401, {"error": "The access token is invalid"}, errors.AuthenticationError),
        (403, {"errors": "App is not connected to this company"}, errors.AppNotConnectedError),
        (403, {"errors": "You do not have permission"}, errors.ForbiddenError),
        (404, {"message": "Not found"}, errors.NotFoundError),
        (429, {"error": {"error": "slow down"}}, errors.RateLimitedError),
        (500, {"errors": "boom"}, errors.ServerError),
        (503, {}, errors.ServerError),
    ],
)
def test_status_and_body_pick_the_error_class(
    status: int, body: object, cls: type[errors.ApiError]
) -> None:
    error = error_for_response(answer(status, json=body), company_id=101)
    assert type(error) is cls
    assert error.status == status
    assert error.company_id == 101
    assert error.request == "GET https://api.test/rest/v1.0/projects?page=2"
    assert "company 101" in str(error)
    assert error.exit_code == errors.EXIT_PROCORE


def test_a_secret_echoed_by_the_server_is_redacted() -> None:
    REDACTOR.add("hunter2-secret")
    error = error_for_response(answer(400, json={"message": "bad secret hunter2-secret"}))
    assert "hunter2-secret" not in str(error)


def test_transport_failures_name_the_request_and_kind() -> None:
    request = httpx.Request("GET", "https://api.test/rest/v1.0/me")
    timeout = transport_error(request, httpx.ReadTimeout("read timed out", request=request))
    dropped = transport_error(request, httpx.RemoteProtocolError("closed", request=request))
    assert str(timeout).startswith("GET https://api.test/rest/v1.0/me: timed out")
    assert "no answer" in str(dropped)
