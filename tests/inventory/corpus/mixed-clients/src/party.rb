class ProcoreParty
  include HTTParty
  base_uri "https://api.procore.com/rest/v1.0"
  def vendors(company_id)
    self.class.get("/companies/#{company_id}/vendors", headers: auth)
  end
  def add_punch(project_id, body)
    self.class.post("/projects/#{project_id}/punch_items", body: body.to_json)
  end
end
