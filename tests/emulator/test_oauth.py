"""The login paths: token grants, authorize, token info, revoke, expiry, sunset."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx

from .conftest import Api

CC = {"grant_type": "client_credentials", "client_id": "tsa-client", "client_secret": "tsa-secret"}


def test_client_credentials_form_multipart_and_json_bodies(api: Api) -> None:
    form = api.http.post("/oauth/token", data=CC)
    multipart = api.http.post("/oauth/token", files={k: (None, v) for k, v in CC.items()})
    as_json = api.http.post(
        "/oauth/token", content=json.dumps(CC), headers={"Content-Type": "application/json"}
    )
    for response in (form, multipart, as_json):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer" and body["expires_in"] == 5400
        assert "refresh_token" not in body and isinstance(body["created_at"], int)
    assert api.emu.stats.tokens_issued == 3


def test_wrong_secret_is_invalid_client(api: Api) -> None:
    response = api.http.post("/oauth/token", data={**CC, "client_secret": "nope"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_revoked_service_account_is_refused(api: Api) -> None:
    response = api.http.post(
        "/oauth/token",
        data={**CC, "client_id": "old-client", "client_secret": "old-secret"},
    )
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_client" and "revoked" in body["error_description"]


def test_tsa_refused_after_sunset_and_its_token_dies(api: Api) -> None:
    token = api.token("tsa-client", "tsa-secret")
    api.clock.advance(31 * 86400)  # 2025-03-18 12:00: the sunset day
    refused = api.http.post("/oauth/token", data=CC)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert "2025-03-18" in refused.json()["error_description"]
    old = api.get("/rest/v1.0/companies", token, company=101)
    assert old.status_code == 401
    # The DMSA is unaffected by the sunset.
    assert api.token("dmsa-client", "dmsa-secret")


def test_tsa_still_works_the_day_before_sunset(api: Api) -> None:
    api.clock.advance(30 * 86400)  # 2025-03-17 12:00
    assert api.token("tsa-client", "tsa-secret")


def test_expired_token_is_invalid(api: Api) -> None:
    token = api.token("tsa-client", "tsa-secret")
    assert api.get("/rest/v1.0/companies", token, company=101).status_code == 200
    api.clock.advance(5400)
    response = api.get("/rest/v1.0/companies", token, company=101)
    assert response.status_code == 401
    assert response.json() == {"errors": "The access token is invalid"}
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def _authorize(api: Api, redirect_uri: str, state: str | None = "xyz") -> httpx.Response:
    params = {"response_type": "code", "client_id": "dmsa-client", "redirect_uri": redirect_uri}
    if state:
        params["state"] = state
    return api.http.get("/oauth/authorize", params=params)


def _exchange(api: Api, code: str, redirect_uri: str) -> httpx.Response:
    return api.http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": "dmsa-client",
            "client_secret": "dmsa-secret",
            "code": code,
            "redirect_uri": redirect_uri,
        },
    )


def test_authorize_redirects_with_code_and_state_then_code_exchange(api: Api) -> None:
    redirect = "http://localhost:8765/callback"
    response = _authorize(api, redirect)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    tokens = _exchange(api, query["code"][0], redirect)
    assert tokens.status_code == 200
    body = tokens.json()
    assert body["refresh_token"] and body["expires_in"] == 5400
    me = api.get("/rest/v1.0/me", body["access_token"])  # a user token: no header needed
    assert me.status_code == 200 and me.json()["id"] == 42
    again = _exchange(api, query["code"][0], redirect)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_code_expires_after_ten_minutes(api: Api) -> None:
    redirect = "http://localhost/cb"
    code = parse_qs(urlsplit(_authorize(api, redirect).headers["Location"]).query)["code"][0]
    api.clock.advance(601)
    assert _exchange(api, code, redirect).status_code == 400


def test_oob_shows_the_code_on_a_page(api: Api) -> None:
    oob = "urn:ietf:wg:oauth:2.0:oob"
    response = _authorize(api, oob, state=None)
    assert response.status_code == 200 and "text/html" in response.headers["Content-Type"]
    code = response.text.split('<pre id="authorization_code">')[1].split("</pre>")[0]
    assert _exchange(api, code, oob).status_code == 200


def test_refresh_rotates_and_old_refresh_token_dies(api: Api) -> None:
    oob = "urn:ietf:wg:oauth:2.0:oob"
    code = _authorize(api, oob).text.split('id="authorization_code">')[1].split("<")[0]
    first = _exchange(api, code, oob).json()
    refresh = {
        "grant_type": "refresh_token",
        "client_id": "dmsa-client",
        "client_secret": "dmsa-secret",
        "refresh_token": first["refresh_token"],
        "redirect_uri": oob,
    }
    second = api.http.post("/oauth/token", data=refresh)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    reused = api.http.post("/oauth/token", data=refresh)
    assert reused.status_code == 400
    assert reused.json()["error_description"] == "The refresh token is invalid"


def test_refresh_token_dies_even_when_the_refresh_fails(api: Api) -> None:
    oob = "urn:ietf:wg:oauth:2.0:oob"
    code = _authorize(api, oob).text.split('id="authorization_code">')[1].split("<")[0]
    first = _exchange(api, code, oob).json()
    data = {
        "grant_type": "refresh_token",
        "client_id": "dmsa-client",
        "client_secret": "wrong",
        "refresh_token": first["refresh_token"],
    }
    assert api.http.post("/oauth/token", data=data).status_code == 401
    data["client_secret"] = "dmsa-secret"
    assert api.http.post("/oauth/token", data=data).status_code == 400


def test_token_info_fields(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    api.clock.advance(400)
    info = api.get("/oauth/token/info", token, company=101)
    assert info.status_code == 200
    body = info.json()
    assert body["application"] == {"uid": "dmsa-client"}
    assert body["resource_owner_id"] == 9100
    assert body["expires_in_seconds"] == 5000
    assert body["scopes"] == []
    bad = api.get("/oauth/token/info", "nonsense")
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_token"


def test_revoke_kills_token_and_always_answers_200(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    revoked = api.http.post("/oauth/revoke", data={"token": token, "client_id": "dmsa-client"})
    assert revoked.status_code == 200
    assert api.get("/rest/v1.0/companies", token, company=101).status_code == 401
    assert api.http.post("/oauth/revoke", data={"token": "unknown"}).status_code == 200


def test_unsupported_grant(api: Api) -> None:
    response = api.http.post("/oauth/token", data={"grant_type": "password"})
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
