"""The API paths: company header rules, visibility, levels, directory, pagination, limits."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from .conftest import Api, small_world

MISSING = "Missing Procore-Company-Id header!"


def _ids(response: httpx.Response, key: str = "id") -> list[int]:
    assert response.status_code == 200, response.text
    return [item[key] for item in response.json()]


def _levels(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {t["name"]: t["user_access_level"]["name"] for t in response.json()["tools"]}


# -- Procore-Company-Id -------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/rest/v1.0/me", "/rest/v1.0/companies"])
@pytest.mark.parametrize("client", [("tsa-client", "tsa-secret"), ("dmsa-client", "dmsa-secret")])
def test_client_credentials_need_the_header_even_on_me_and_companies(
    api: Api, path: str, client: tuple[str, str]
) -> None:
    response = api.get(path, api.token(*client))
    assert response.status_code == 400
    assert response.json() == {"errors": MISSING}


def test_user_token_needs_no_header_on_me_and_companies_only(api: Api) -> None:
    assert api.get("/rest/v1.0/me", "admin-token").json() == {
        "id": 42,
        "login": "ada@acme.example",
        "name": None,
    }
    assert _ids(api.get("/rest/v1.0/companies", "admin-token")) == [101, 202]
    projects = api.get("/rest/v1.0/projects", "admin-token", company_id=101)
    assert projects.status_code == 400 and projects.json()["errors"] == MISSING


def test_me_returns_name_with_company_id(api: Api) -> None:
    body = api.get("/rest/v1.0/me", "admin-token", company=101, company_id=101).json()
    assert body["name"] == "Ada Admin"


def test_unparsable_header_is_a_bad_request(api: Api) -> None:
    assert api.get("/rest/v1.0/companies", "admin-token", company=None).status_code == 200
    response = api.http.get(
        "/rest/v1.0/companies",
        headers={"Authorization": "Bearer admin-token", "Procore-Company-Id": "acme"},
    )
    assert response.status_code == 400


# -- traditional service account ---------------------------------------------------------------
def test_tsa_sees_its_memberships_with_template_levels(api: Api) -> None:
    token = api.token("tsa-client", "tsa-secret")
    assert _ids(api.get("/rest/v1.0/companies", token, company=101)) == [101]
    assert _ids(api.get("/rest/v1.1/projects", token, company=101, company_id=101)) == [1001, 1002]
    project = _levels(
        api.get("/rest/v1.0/settings/permissions", token, company=101, project_id=1001)
    )
    assert project["rfi"] == "Read Only" and project["daily_log"] == "Standard"
    company = _levels(
        api.get("/rest/v1.0/settings/permissions", token, company=101, company_id=101)
    )
    assert company["documents"] == "Read Only" and company["directory"] == "Read Only"
    hidden = api.get("/rest/v1.0/settings/permissions", token, company=101, project_id=1003)
    assert hidden.status_code == 404


def test_tsa_cannot_reach_another_company(api: Api) -> None:
    token = api.token("tsa-client", "tsa-secret")
    response = api.get("/rest/v1.1/projects", token, company=202, company_id=202)
    assert response.status_code == 404


def test_level_ids_follow_the_published_admin_example(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    tools = api.get("/rest/v1.0/settings/permissions", token, company=101, project_id=1003).json()
    rfi = next(t for t in tools["tools"] if t["name"] == "rfi")
    assert rfi["user_access_level"] == {"id": 4, "name": "Admin"}


def test_settings_permissions_refuses_both_or_neither_scope(api: Api) -> None:
    both = api.get(
        "/rest/v1.0/settings/permissions",
        "admin-token",
        company=101,
        company_id=101,
        project_id=1001,
    )
    neither = api.get("/rest/v1.0/settings/permissions", "admin-token", company=101)
    assert both.status_code == neither.status_code == 400
    assert "message" in both.json()["error"]


# -- directory admin ----------------------------------------------------------------------------
def test_directory_admin_lists_every_project_without_project_levels(api: Api) -> None:
    all_ids = _ids(
        api.get(
            "/rest/v1.0/projects",
            "admin-token",
            company=101,
            company_id=101,
            **{"filters[by_status]": "All"},
        )
    )
    assert all_ids == [1001, 1002, 1003, 1004, 1005]
    levels = _levels(
        api.get("/rest/v1.0/settings/permissions", "admin-token", company=101, project_id=1001)
    )
    assert set(levels.values()) == {"None"}


def test_projects_default_to_active_and_filter_by_status_and_id(api: Api) -> None:
    def get(**params: object) -> list[int]:
        return _ids(
            api.get("/rest/v1.0/projects", "admin-token", company=101, company_id=101, **params)
        )

    assert get() == [1001, 1002, 1003, 1004]
    assert get(**{"filters[by_status]": "Inactive"}) == [1005]
    assert get(**{"filters[id][]": ["1002", "1004"]}) == [1002, 1004]
    assert get(**{"filters[name]": "tower"}) == [1001]


def test_projects_need_company_id(api: Api) -> None:
    assert api.get("/rest/v1.1/projects", "admin-token", company=101).status_code == 400


# -- DMSA ---------------------------------------------------------------------------------------
def test_dmsa_sees_exactly_permitted_projects_with_manifest_levels(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    assert _ids(api.get("/rest/v1.0/companies", token, company=101)) == [101]
    assert _ids(api.get("/rest/v1.1/projects", token, company=101, company_id=101)) == [1001, 1003]
    permitted = _levels(
        api.get("/rest/v1.0/settings/permissions", token, company=101, project_id=1001)
    )
    assert permitted["rfi"] == "Standard"
    # A project outside the permitted ones: 403 (see test_fidelity.py for the source).
    assert (
        api.get("/rest/v1.0/settings/permissions", token, company=101, project_id=1002).status_code
        == 403
    )
    me = api.get("/rest/v1.0/me", token, company=101).json()
    assert me["id"] == 9100 and me["login"] == "acme-sync-x1@procore.com"


def test_manual_directory_template_overrides_the_manifest(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    levels = _levels(
        api.get("/rest/v1.0/settings/permissions", token, company=101, project_id=1003)
    )
    assert levels["rfi"] == "Admin"


def test_disconnected_install_answers_403(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    response = api.get("/rest/v1.0/companies", token, company=202)
    assert response.status_code == 403
    assert response.json() == {"errors": "App is not connected to this company"}


def test_company_without_install_answers_401(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    response = api.get("/rest/v1.0/companies", token, company=999)
    assert response.status_code == 401


def test_dmsa_rate_limits_are_per_company(make_api: Callable[..., Api]) -> None:
    api = make_api(small_world(limits={"spike": 2}))
    token = api.token("dmsa-client", "dmsa-secret")
    for _ in range(2):
        assert api.get("/rest/v1.0/me", token, company=101).status_code == 200
    assert api.get("/rest/v1.0/me", token, company=101).status_code == 429
    # Company 202 is a separate bucket (its answer is the 403 of its disconnected install).
    assert api.get("/rest/v1.0/me", token, company=202).status_code == 403


# -- directory reads ---------------------------------------------------------------------------
def test_directory_needs_read_access(api: Api) -> None:
    response = api.get("/rest/v1.3/companies/101/users", "bob-token", company=101)
    assert response.status_code == 403 and "errors" in response.json()


def test_company_users_never_reveal_kind(api: Api) -> None:
    users = api.get("/rest/v1.3/companies/101/users", "admin-token", company=101).json()
    assert [u["id"] for u in users] == [42, 77, 9001, 9002, 9100]
    erp = next(u for u in users if u["id"] == 9001)
    assert erp["email_address"] == "a1b2c3@procore.com" and erp["is_employee"] is False
    assert erp["last_login_at"] is None
    assert erp["company_permission_template"]["id"] == 502
    assert all("kind" not in u and "service_account" not in str(u) for u in users)


def test_company_user_search_and_detail(api: Api) -> None:
    found = api.get(
        "/rest/v1.3/companies/101/users",
        "admin-token",
        company=101,
        **{"filters[search]": "procore.com"},
    )
    assert _ids(found) == [9001, 9002, 9100]
    detail = api.get("/rest/v1.3/companies/101/users/9100", "admin-token", company=101).json()
    assert (
        detail["add_to_new_projects"] is True and detail["company_permission_template_id"] is None
    )
    assert (
        api.get("/rest/v1.3/companies/101/users/9200", "admin-token", company=101).status_code
        == 404
    )


def test_project_assignments_of_the_old_account(api: Api) -> None:
    response = api.get(
        "/rest/v1.0/companies/101/users/9001/project_assignments", "admin-token", company=101
    )
    rows = {r["project_id"]: r for r in response.json()}
    assert set(rows) == {1001, 1002, 1003, 1004, 1005}
    assert (
        rows[1001]["is_assigned"] and rows[1001]["permission_template_name"] == "Integration (read)"
    )
    assert not rows[1003]["is_assigned"]


def test_dmsa_with_directory_read_sees_its_own_assignments(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    rows = api.get(
        "/rest/v1.0/companies/101/users/9100/project_assignments", token, company=101
    ).json()
    assigned = {r["project_id"]: r["permission_template_name"] for r in rows if r["is_assigned"]}
    assert assigned == {1001: None, 1003: "Manual admin"}


def test_permission_templates_by_type_and_with_permissions(api: Api) -> None:
    project = api.get(
        "/rest/v1.0/companies/101/permission_templates", "admin-token", company=101
    ).json()
    assert {t["id"] for t in project} == {501, 503}
    company = api.get(
        "/rest/v1.0/companies/101/permission_templates",
        "admin-token",
        company=101,
        **{"filters[type]": "company_tools", "view": "with_permissions"},
    ).json()
    assert company[0]["type"] == "company_tools"
    assert company[0]["user_access_levels"] == {"documents": 2, "directory": 2}
    one = api.get(
        "/rest/v1.0/companies/101/permission_templates/501", "admin-token", company=101
    ).json()
    assert one["user_access_levels"] == {"rfi": 2, "daily_log": 3}
    assert (
        api.get(
            "/rest/v1.0/companies/202/permission_templates/501", "admin-token", company=202
        ).status_code
        == 404
    )


def test_project_users_full_and_compact(api: Api) -> None:
    full = api.get("/rest/v1.0/projects/1001/users", "admin-token", company=101).json()
    assert [u["id"] for u in full] == [77, 9001, 9100]
    assert full[1]["permission_template"]["id"] == 501
    compact = api.get("/rest/v1.0/projects/1001/users", "bob-token", company=101).json()
    assert compact[0] == {"id": 77, "name": "Bob Builder"}


def test_app_installations_for_the_dmsa(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    items = api.get("/rest/v1.0/app_installations", token, company=101, company_id=101).json()
    assert [(i["app_uid"], i["status"]) for i in items] == [("dmsa-client", "installed")]
    assert (
        api.get(
            "/rest/v1.0/app_installations", "bob-token", company=101, company_id=101
        ).status_code
        == 403
    )


# -- pagination -----------------------------------------------------------------------------------
def test_pagination_headers_and_links_keep_other_params(api: Api) -> None:
    response = api.get(
        "/rest/v1.0/projects",
        "admin-token",
        company=101,
        company_id=101,
        per_page=2,
        page=2,
        **{"filters[by_status]": "All"},
    )
    assert _ids(response) == [1003, 1004]
    assert response.headers["Total"] == "5" and response.headers["Per-Page"] == "2"
    links = {
        link["rel"]: link["url"]
        for link in httpx.Response(200, headers={"Link": response.headers["Link"]}).links.values()
    }
    # Page 2 of 3: first, next, last (the pagination guide: page 2 has no separate prev).
    assert set(links) == {"first", "next", "last"}
    assert links["next"].startswith("https://emulator.invalid/rest/v1.0/projects?")
    nxt = httpx.URL(links["next"])
    assert nxt.params["page"] == "3" and nxt.params["company_id"] == "101"
    assert nxt.params["filters[by_status]"] == "All"
    assert httpx.URL(links["last"]).params["page"] == "3"


def test_last_page_has_no_next(api: Api) -> None:
    response = api.get(
        "/rest/v1.0/projects", "admin-token", company=101, company_id=101, per_page=2, page=2
    )
    assert 'rel="next"' not in response.headers["Link"]
    assert 'rel="first"' in response.headers["Link"]


def test_per_page_is_capped(make_api: Callable[..., Api]) -> None:
    api = make_api(small_world(limits={"max_per_page": 3}))
    response = api.get(
        "/rest/v1.0/projects", "admin-token", company=101, company_id=101, per_page=500
    )
    assert len(response.json()) == 3 and response.headers["Per-Page"] == "3"


# -- rate limits and errors ---------------------------------------------------------------
def test_rate_limit_headers_and_429(make_api: Callable[..., Api]) -> None:
    api = make_api(small_world(limits={"spike": 3, "spike_window_s": 2.5, "hourly": 100}))
    first = api.get("/rest/v1.0/companies", "admin-token")
    assert first.headers["X-Rate-Limit-Limit"] == "3"
    assert first.headers["X-Rate-Limit-Remaining"] == "2"
    reset = int(first.headers["X-Rate-Limit-Reset"])
    assert reset == int(api.clock.now() + 2.5) + 1
    api.get("/rest/v1.0/companies", "admin-token")
    api.get("/rest/v1.0/companies", "admin-token")
    limited = api.get("/rest/v1.0/companies", "admin-token")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-Rate-Limit-Remaining"] == "0"
    assert "error" in limited.json()
    assert api.emu.stats.rate_limited == 1 and api.emu.stats.throttled == 1
    api.clock.advance(2.5)
    assert api.get("/rest/v1.0/companies", "admin-token").status_code == 200


def test_headers_report_the_hourly_window_when_it_is_closer(make_api: Callable[..., Api]) -> None:
    api = make_api(small_world(limits={"spike": 25, "hourly": 4}))
    api.get("/rest/v1.0/companies", "admin-token")
    second = api.get("/rest/v1.0/companies", "admin-token")
    assert second.headers["X-Rate-Limit-Limit"] == "4"
    assert second.headers["X-Rate-Limit-Remaining"] == "2"


def test_unknown_path_is_a_json_404(api: Api) -> None:
    response = api.get("/rest/v1.0/nothing_here", "admin-token")
    assert response.status_code == 404 and "errors" in response.json()


def test_missing_token_is_401(api: Api) -> None:
    response = api.http.get("/rest/v1.0/companies")
    assert response.status_code == 401


def test_stats_count_requests_and_statuses(api: Api) -> None:
    api.get("/rest/v1.0/companies", "admin-token")
    api.get("/rest/v1.0/nothing", "admin-token")
    assert api.emu.stats.requests == 2
    assert api.emu.stats.responses[200] == 1 and api.emu.stats.responses[404] == 1
