"""Shared HTTP plumbing for the resource classes."""
import requests

DEFAULT_SERVER = "https://api.procore.com"


class Base:
    def __init__(self, access_token, server_url=DEFAULT_SERVER):
        self.endpoint_url = server_url
        self.access_token = access_token

    def _headers(self, company_id=None):
        headers = {"Authorization": f"Bearer {self.access_token}"}
        if company_id:
            headers["Procore-Company-Id"] = str(company_id)
        return headers

    def get_request(self, api_url, params=None, company_id=None):
        url = self.endpoint_url + api_url
        response = requests.get(url, headers=self._headers(company_id), params=params)
        return response.json()

    def post_request(self, api_url, data=None, company_id=None):
        response = requests.post(
            self.endpoint_url + api_url,
            headers=self._headers(company_id),
            json=data,
        )
        return response.json()

    def patch_request(self, api_url, data=None, company_id=None):
        return requests.patch(self.endpoint_url + api_url, json=data,
                              headers=self._headers(company_id)).json()

    def delete_request(self, api_url, company_id=None):
        return requests.delete(self.endpoint_url + api_url, headers=self._headers(company_id))
