"""Project and RFI sync on a Python client generated from Procore's OpenAPI document."""

import procore_sdk

from sync.settings import COMPANY_ID, api_configuration


def projects_and_rfis():
    with procore_sdk.ApiClient(api_configuration()) as api_client:
        projects_api = procore_sdk.CorePortfolioProjectsApi(api_client)
        rfis_api = procore_sdk.ProjectManagementRFIApi(api_client)
        for project in projects_api.rest_v10_projects_get(COMPANY_ID, company_id=COMPANY_ID):
            detail = projects_api.rest_v10_projects_id_get_with_http_info(COMPANY_ID, project.id, COMPANY_ID)
            yield detail, rfis_api.rest_v10_projects_project_id_rfis_get(COMPANY_ID, project.id)
