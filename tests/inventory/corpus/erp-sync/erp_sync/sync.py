from erp_sync.erp import ErpClient
from erp_sync.procore import ProcoreClient


def run(erp: ErpClient, procore: ProcoreClient, project_map):
    for project in erp.projects():
        procore_id = project_map[project["id"]]
        for line in procore.budget_lines(procore_id):
            erp.post_cost(project["id"], {"amount": line["amount"]})
