"""The ERP side: its own REST API, with resources named like Procore's."""
import requests

ERP_URL = "https://erp.acme-builders.example.net/api/v2"


class ErpClient:
    def __init__(self, token):
        self.session = requests.Session()
        self.session.headers["X-Api-Key"] = token

    def projects(self):
        return self.session.get(f"{ERP_URL}/projects").json()

    def vendors(self, company):
        return self.session.get(ERP_URL + f"/companies/{company}/vendors").json()

    def post_cost(self, project, cost):
        return self.session.post(f"{ERP_URL}/projects/{project}/costs", json=cost)
