from procore_sdk.base import Base


class ManpowerLogs(Base):
    def __init__(self, access_token, server_url):
        super().__init__(access_token, server_url)
        self.endpoint = "/rest/v1.0/projects"

    def get(self, company_id, project_id, log_date):
        params = {"log_date": log_date}
        return self.get_request(
            f"{self.endpoint}/{project_id}/manpower_logs", params=params, company_id=company_id
        )

    def create(self, company_id, project_id, entry):
        return self.post_request(f"{self.endpoint}/{project_id}/manpower_logs",
                                 data={"manpower_log": entry}, company_id=company_id)
