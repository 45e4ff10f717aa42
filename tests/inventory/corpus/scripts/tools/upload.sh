#!/bin/sh
# Upload one document to the project's root folder.
set -eu
curl -sS -X POST "https://api.procore.com/rest/v1.0/files?project_id=${PROJECT_ID}" \
  -H "Authorization: Bearer ${PROCORE_TOKEN}" -F "file[data]=@$1"
curl -sS "https://api.procore.com/rest/v1.0/projects/${PROJECT_ID}/documents" \
  -H "Authorization: Bearer ${PROCORE_TOKEN}"
# curl -X DELETE "https://api.procore.com/rest/v1.0/files/1?project_id=2"
