# Nightly ERP <-> Procore sync (demo fixture: scanned, never run)
require "net/http"
require "json"

class ProcoreSync
  BASE = "https://api.procore.com"

  def initialize(token, company_id)
    @token = token
    @company_id = company_id
  end

  def rfis(project_id)
    get("/rest/v1.0/projects/#{project_id}/rfis")
  end

  def create_rfi(project_id, body)
    post("/rest/v1.0/projects/#{project_id}/rfis", body)
  end

  def manpower_logs(project_id)
    get("/rest/v1.0/projects/#{project_id}/manpower_logs")
  end

  def submittals(project_id)
    get("/rest/v1.0/projects/#{project_id}/submittals")
  end

  def projects
    get("/rest/v1.1/projects?company_id=#{@company_id}")
  end
end
