require "procore"

# Copies open RFIs into the ERP with Procore's official Ruby SDK: every path is relative
# to the client's /rest/<default_version> base.
class RfiSync
  def initialize(store)
    @client = Procore::Client.new(
      client_id: ENV.fetch("PROCORE_CLIENT_ID"),
      client_secret: ENV.fetch("PROCORE_CLIENT_SECRET"),
      store: store,
    )
  end

  def run(company_id)
    @client.get("me")
    projects = @client.get("projects", query: { company_id: company_id }).body
    projects.each do |project|
      rfis = @client.get("projects/#{project['id']}/rfis", query: { per_page: 100 }, options: { company_id: company_id })
      rfis.body.each { |rfi| mark_synced(project["id"], rfi["id"], company_id) }
    end
  end

  def mark_synced(project_id, rfi_id, company_id)
    @client.patch("projects/#{project_id}/rfis/#{rfi_id}", body: { rfi: { reference: "erp" } }, options: { company_id: company_id })
  end

  def drop_todo(project_id, todo_id)
    @client.delete("projects/#{project_id}/todos/#{todo_id}")
  end
end
