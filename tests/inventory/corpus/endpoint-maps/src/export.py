"""Nightly export: endpoints kept in a table, some tools read in a loop."""

import requests

API = "https://api.procore.com"
ENDPOINTS = {
    "rfis": "/rest/v1.0/projects/{project_id}/rfis",
    "submittals": "/rest/v1.0/projects/{project_id}/submittals",
    "observations": "/rest/v1.0/observations/items",
}
DOCUMENT_TOOLS = ["images", "specification_sections"]


def rfis(session: requests.Session, project_id: int):
    return session.get(API + ENDPOINTS["rfis"].format(project_id=project_id)).json()


def any_tool(session: requests.Session, name: str, project_id: int):
    # every entry of ENDPOINTS can be asked for by name
    return session.get(API + ENDPOINTS[name].format(project_id=project_id)).json()


def documents(session: requests.Session, project_id: int):
    for tool in DOCUMENT_TOOLS:
        yield session.get(f"{API}/rest/v1.0/projects/{project_id}/{tool}").json()


def logs(session: requests.Session, project_id: int):
    for kind in ("manpower_logs", "notes_logs"):
        yield session.get(f"{API}/rest/v1.0/projects/{project_id}/{kind}").json()
