import os
import requests
from fastapi import FastAPI
from flask import Flask

api = FastAPI()
web = Flask(__name__)
BASE = "https://api.procore.com/rest/v1.0"


@api.post("/webhooks/procore")
async def receive(event: dict):
    return {"ok": True}


@web.route("/projects/<int:project_id>/status", methods=["GET"])
def status(project_id):
    return "ok"


def register(project_id, url):
    return requests.post(f"{BASE}/webhooks/hooks?project_id={project_id}",
                         json={"hook": {"api_version": "v2", "destination_url": url}})
