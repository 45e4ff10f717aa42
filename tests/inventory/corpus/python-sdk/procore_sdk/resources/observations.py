from procore_sdk.base import Base


class Observations(Base):
    def __init__(self, access_token, server_url):
        super().__init__(access_token, server_url)
        self.endpoint = "/rest/v1.0/observations/items"

    def create(self, company_id, project_id, data):
        return self.post_request(
            api_url=f"{self.endpoint}?project_id={project_id}",
            data={"observation": data},
            company_id=company_id,
        )
