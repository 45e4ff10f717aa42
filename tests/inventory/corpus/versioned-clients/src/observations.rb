require "faraday"

# One Faraday connection per version the integration needs.
class ObservationSync
  def initialize(token)
    @current = Faraday.new(url: "https://api.procore.com/rest/v1.0", headers: auth(token))
    @newer = Faraday.new(url: "https://api.procore.com/rest/v1.1", headers: auth(token))
  end

  def observations(project_id)
    @newer.get("projects/#{project_id}/observations/items")
  end

  def punch_items(project_id)
    @current.get("projects/#{project_id}/punch_items")
  end

  private

  def auth(token)
    { "Authorization" => "Bearer #{token}" }
  end
end
