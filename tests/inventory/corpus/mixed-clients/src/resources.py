import httpx

API = "https://api.procore.com/rest/v1.0"

class Resource:
    path = ""
    def __init__(self, client: httpx.Client):
        self.client = client
    def list(self, **ids):
        return self.client.get(API + self.path.format(**ids)).json()
    def create(self, body, **ids):
        return self.client.post(API + self.path.format(**ids), json=body).json()

class Submittals(Resource):
    path = "/projects/{project_id}/submittals"

class Folders(Resource):
    path = "/folders"

async def budget(project_id):
    async with httpx.AsyncClient(base_url="https://api.procore.com/rest/v1.0") as client:
        return (await client.get(f"/budget_views?project_id={project_id}")).json()

def laravel_like(http):
    return http.get(urllib.parse.urljoin(API + "/", "projects/1/images"))
