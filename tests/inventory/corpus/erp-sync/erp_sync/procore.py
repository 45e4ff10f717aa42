"""The Procore side."""
import os

import requests


class ProcoreClient:
    def __init__(self, token, company_id):
        self.procore_base = os.environ.get("PROCORE_API", "https://api.procore.com") + "/rest/v1.0"
        self.base_url = os.environ["API_BASE_URL"]
        self.headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company_id)}

    def budget_lines(self, project_id):
        return requests.get(f"{self.procore_base}/budget_line_items",
                            params={"project_id": project_id}, headers=self.headers).json()

    def add_commitment(self, project_id, body):
        return requests.post(
            f"{self.procore_base}/work_order_contracts?project_id={project_id}",
            json=body, headers=self.headers,
        )

    def vendors(self, company_id):
        # base_url could be the ERP's as well: the scan cannot tell, so it says so
        return requests.get(f"{self.base_url}/companies/{company_id}/vendors", headers=self.headers)
