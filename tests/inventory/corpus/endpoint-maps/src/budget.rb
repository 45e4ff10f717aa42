require "net/http"

# Budget reads through a hash of paths keyed by symbols.
class BudgetSync
  PATHS = {
    views: "/rest/v1.0/budget_views",
    changes: "/rest/v1.0/budget_changes",
  }.freeze

  def initialize(http)
    @http = http
  end

  def details(project_id)
    %w[budget_view_snapshots budget_details].each do |resource|
      @http.get("https://api.procore.com/rest/v1.0/#{resource}?project_id=#{project_id}")
    end
  end

  def views(project_id)
    @http.get("https://api.procore.com#{PATHS[:views]}?project_id=#{project_id}")
  end
end
