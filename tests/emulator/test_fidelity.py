"""Where the emulator was narrower than Procore (issue 19): each test names its source.

Sources: RFC 6749; Procore's OpenAPI document (``shared/reference/procore-oas``);
Procore's pagination guide (developers.procore.com/documentation/pagination); its
rate-limiting page (plan_your_app/rate_limiting.md); its troubleshooting guide
(api_essentials/troubleshooting.md, summarised in procore-api-surface.md section 0).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from urllib.parse import quote_plus

import httpx
import pytest

from dmsa_migrate.emulator import World, parse_world

from .conftest import SMALL_WORLD, Api, small_world


def _basic(client_id: str, secret: str) -> str:
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def _rels(response: httpx.Response) -> dict[str, int]:
    links = httpx.Response(200, headers={"Link": response.headers["Link"]}).links
    return {rel: int(httpx.URL(link["url"]).params["page"]) for rel, link in links.items()}


def _many_projects(count: int) -> World:
    rows = "".join(
        f"\n[[projects]]\nid = {5000 + n}\ncompany_id = 101\nname = \"Extra {n}\"\n"
        for n in range(count)
    )
    head, _, tail = SMALL_WORLD.partition("[[templates]]")
    return parse_world(head + rows + "\n[[templates]]" + tail, "many.toml")


# -- RFC 6749 section 2.3.1: HTTP Basic client authentication -------------------------------
def test_token_accepts_http_basic_client_authentication_rfc6749_2_3_1(api: Api) -> None:
    response = api.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": _basic("dmsa-client", "dmsa-secret")},
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert api.get("/rest/v1.0/me", token, company=101).json()["id"] == 9100


def test_basic_with_a_wrong_secret_is_401_with_a_basic_challenge_rfc6749_5_2(api: Api) -> None:
    response = api.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": _basic("dmsa-client", "wrong")},
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_two_client_authentication_methods_are_refused_rfc6749_2_3(api: Api) -> None:
    response = api.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_secret": "dmsa-secret"},
        headers={"Authorization": _basic("dmsa-client", "dmsa-secret")},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


# -- OAS: GET /rest/v1.0/companies/{company_id}/projects ----------------------------------------
def test_company_projects_path_of_the_oas_is_served(api: Api) -> None:
    response = api.get("/rest/v1.0/companies/101/projects", "admin-token", company=101)
    assert response.status_code == 200, response.text
    rows = {row["id"]: row for row in response.json()}
    assert set(rows) == {1001, 1002, 1003, 1004, 1005}
    assert rows[1005]["status_name"] == "Inactive" and rows[1001]["status_name"] == "Active"
    assert set(rows[1001]["address"]) == {"street", "city", "state_code", "zip", "country_code"}
    # Visibility follows the caller: Bob sees only his membership's project.
    bob = api.get("/rest/v1.0/companies/101/projects", "bob-token", company=101)
    assert [row["id"] for row in bob.json()] == [1001]


# -- OAS: v1.1 projects, "The max page size is 300 projects" ------------------------------------
def test_v11_projects_page_size_goes_to_300_per_the_oas(make_api: Callable[..., Api]) -> None:
    world = _many_projects(400)
    data = world.model_dump()
    del data["limits"]["max_per_page"]  # the world does not set a cap of its own
    api = make_api(World.model_validate({k: v for k, v in data.items()}))
    response = api.get("/rest/v1.1/projects", "admin-token", company=101, company_id=101,
                       per_page=1000)
    assert response.headers["Per-Page"] == "300" and len(response.json()) == 300
    default = api.get("/rest/v1.1/projects", "admin-token", company=101, company_id=101)
    assert default.headers["Per-Page"] == "100"


def test_a_world_cap_below_300_still_applies_to_v11(make_api: Callable[..., Api]) -> None:
    api = make_api(small_world(limits={"max_per_page": 2}))
    response = api.get("/rest/v1.1/projects", "admin-token", company=101, company_id=101,
                       per_page=300)
    assert response.headers["Per-Page"] == "2"


# -- Procore's pagination guide, "Notes on the page parameter" -------------------------------
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (1, {"next": 2, "last": 4}),
        (2, {"first": 1, "next": 3, "last": 4}),
        (3, {"first": 1, "prev": 2, "next": 4, "last": 4}),
        (4, {"first": 1, "prev": 3, "last": 4}),
    ],
)
def test_link_relations_follow_the_pagination_guide(
    make_api: Callable[..., Api], page: int, expected: dict[str, int]
) -> None:
    api = make_api(_many_projects(3))  # 4 active + 3 = 7 projects, 2 a page: 4 pages
    response = api.get("/rest/v1.0/projects", "admin-token", company=101, company_id=101,
                       per_page=2, page=page)
    assert _rels(response) == expected


# -- Rate-limiting page: every API call carries X-Rate-Limit-* ---------------------------------
RATE_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")


def test_401_answers_carry_rate_limit_headers(api: Api) -> None:
    response = api.get("/rest/v1.0/companies", "not-a-token")
    assert response.status_code == 401
    assert all(name in response.headers for name in RATE_HEADERS)


def test_login_host_answers_carry_rate_limit_headers(api: Api) -> None:
    token = api.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "dmsa-client",
              "client_secret": "dmsa-secret"},
    )
    refused = api.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    )
    info = api.http.get(
        "/oauth/token/info",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    )
    for response in (token, refused, info):
        assert all(name in response.headers for name in RATE_HEADERS), response.request.url
    first = int(token.headers["X-Rate-Limit-Remaining"])
    again = api.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "dmsa-client",
              "client_secret": "dmsa-secret"},
    )
    assert int(again.headers["X-Rate-Limit-Remaining"]) == first - 1


# -- OAS: documented project fields and filters --------------------------------------------------
def test_projects_carry_documented_fields_the_issue_named(api: Api) -> None:
    row = api.get("/rest/v1.0/projects", "admin-token", company=101, company_id=101).json()[0]
    for name in ("address", "stage", "created_at", "updated_at", "city", "time_zone"):
        assert name in row, name
    assert row["created_at"].endswith("Z")


def test_project_filters_of_the_oas_are_honoured(make_api: Callable[..., Api]) -> None:
    extra = (
        '\n[[projects]]\nid = 1010\ncompany_id = 101\nname = "Synced One"\n'
        'origin_id = "ERP-7"\nstage = "Bidding"\nproject_number = "P-10"\n'
        'created_at = "2024-06-01T10:00:00Z"\n'
    )
    head, _, tail = SMALL_WORLD.partition("[[templates]]")
    api = make_api(parse_world(head + extra + "\n[[templates]]" + tail, "f.toml"))

    def ids(path: str = "/rest/v1.0/projects", **params: str) -> list[int]:
        response = api.get(path, "admin-token", company=101, company_id=101, **params)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()]

    assert ids(**{"filters[origin_id]": "ERP-7"}) == [1010]
    assert ids(**{"filters[synced]": "true"}) == [1010]
    assert ids(**{"filters[created_at]": "2024-06-01...2024-06-02"}) == [1010]
    assert ids(**{"filters[vendor_id]": "55"}) == []  # no world project has a vendor
    assert ids("/rest/v1.1/projects", **{"filters[by_stage]": "Bidding"}) == [1010]
    assert ids("/rest/v1.1/projects", **{"filters[project_number]": "P-10"}) == [1010]
    assert ids("/rest/v1.1/projects", **{"filters[by_region]": "West"}) == []
    assert ids(sort="name")[:2] == [1001, 1003]  # Harbor Tower, Northgate School
    bad = api.get("/rest/v1.0/projects", "admin-token", company=101, company_id=101,
                  **{"filters[created_at]": "last tuesday"})
    assert bad.status_code == 400


# -- OAS: app_installations/{id}; v1.0 company users shape ---------------------------------------
def test_app_installation_by_id_answers_its_manifest(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    listed = api.get("/rest/v1.0/app_installations", token, company=101, company_id=101).json()
    one = api.get(f"/rest/v1.0/app_installations/{listed[0]['id']}", token, company=101)
    assert one.status_code == 200, one.text
    body = one.json()
    assert set(body) == {"manifest", "post_installation_instruction"}
    assert body["manifest"]["permissions"]["project"] == {"rfi": "standard"}
    missing = api.get("/rest/v1.0/app_installations/999999999", token, company=101)
    assert missing.status_code == 404


def test_v10_company_users_answer_the_v10_documented_shape(api: Api) -> None:
    v10 = api.get("/rest/v1.0/companies/101/users", "admin-token", company=101).json()[0]
    v13 = api.get("/rest/v1.3/companies/101/users", "admin-token", company=101).json()[0]
    assert "role" in v13 and "role" not in v10  # role is not a v1.0 field
    documented = ("business_phone", "initials", "welcome_email_sent_at", "contact_id")
    for name in documented:
        assert name in v10, name
    assert v10["id"] == v13["id"] and v10["email_address"] == v13["email_address"]


# -- Troubleshooting guide: DMSA on a project outside Permitted Projects -------------------------
def test_dmsa_on_a_non_permitted_project_gets_403_outside_access_scope(api: Api) -> None:
    """Decided by Procore's troubleshooting guide: it files "the project is not in the
    app's Permitted Projects" under 403 "Resource outside access scope". Its general rule
    (404 when a principal cannot see a resource at all) stays for people and TSAs."""
    token = api.token("dmsa-client", "dmsa-secret")
    response = api.get("/rest/v1.0/projects/1002/users", token, company=101)
    assert response.status_code == 403
    assert response.json() == {"errors": "Resource outside access scope"}
    bob = api.get("/rest/v1.0/projects/1002/users", "bob-token", company=101)
    assert bob.status_code == 404


def test_basic_credentials_are_form_urldecoded_rfc6749_2_3_1() -> None:
    """RFC 6749 2.3.1 encodes id and secret with application/x-www-form-urlencoded first,
    so a secret holding ``:`` or ``+`` survives the ``id:secret`` join."""
    from dmsa_migrate.emulator.oauth import basic_credentials

    assert basic_credentials(_basic("app id", "s:e+c/r=t")) == ("app id", "s:e+c/r=t")
    assert basic_credentials("Basic not-base64!") is None
    assert basic_credentials("Bearer abc") is None


def test_a_single_page_carries_only_last_per_the_pagination_guide(api: Api) -> None:
    response = api.get("/rest/v1.0/companies", "admin-token")
    assert _rels(response) == {"last": 1}
