"""A client with one httpx.Client per API version, and a helper that joins paths."""

from urllib.parse import urljoin

import httpx

HOST = "https://api.procore.com"
BASE = HOST + "/rest/v1.0/"


class ProcoreApi:
    def __init__(self, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        self.http = httpx.Client(base_url=BASE, headers=headers)
        self.v2 = httpx.Client(base_url=f"{HOST}/rest/v2.0", headers=headers)

    def _get(self, path: str, **params):
        # urljoin keeps BASE's path for "projects/..." and replaces it for "/rest/v1.1/..."
        return httpx.get(urljoin(BASE, path), params=params).json()

    def projects(self, company_id: int):
        return self._get("projects", company_id=company_id)

    def vendors(self, company_id: int):
        return self._get("/rest/v1.1/companies/%s/vendors" % company_id)

    def budget_views(self, project_id: int):
        return self.http.get(f"/projects/{project_id}/budget_views").json()

    def segments(self, company_id: int, project_id: int):
        path = f"/companies/{company_id}/projects/{project_id}/work_breakdown_structure/segments"
        return self.v2.get(path).json()

    def timecards(self, company_id: int):
        # the base without its version, then a path that carries its own
        root = BASE.replace("/rest/v1.0/", "")
        return httpx.get(root + f"/rest/v1.0/companies/{company_id}/timecard_entries").json()
