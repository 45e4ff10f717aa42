from procore_sdk.base import Base


class Submittals(Base):
    def __init__(self, access_token, server_url):
        super().__init__(access_token, server_url)
        self.endpoint = "/rest/v1.1/projects"

    def get(self, company_id, project_id):
        return self.get_request(f"{self.endpoint}/{project_id}/submittals", company_id=company_id)

    def update(self, company_id, project_id, submittal_id, data):
        path = "{}/{}/submittals/{}".format(self.endpoint, project_id, submittal_id)
        return self.patch_request(path, data=data, company_id=company_id)
