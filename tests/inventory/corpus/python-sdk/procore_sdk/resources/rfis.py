from procore_sdk.base import Base


class Rfis(Base):
    """RFIs of one project."""

    def __init__(self, access_token, server_url):
        super().__init__(access_token, server_url)
        self.endpoint = "/rest/v1.0/projects"

    def get(self, company_id, project_id, page=1):
        return self.get_request(
            api_url=f"{self.endpoint}/{project_id}/rfis?page={page}",
            company_id=company_id,
        )

    def find(self, company_id, project_id, rfi_id):
        return self.get_request(f"{self.endpoint}/{project_id}/rfis/{rfi_id}", company_id=company_id)

    def create(self, company_id, project_id, data):
        return self.post_request(
            f"{self.endpoint}/{project_id}/rfis",
            data=data,
            company_id=company_id,
        )

    # def delete(self, company_id, project_id, rfi_id):
    #     return self.delete_request(f"{self.endpoint}/{project_id}/rfis/{rfi_id}")
