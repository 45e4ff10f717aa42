module Procore
  class Sync
    def initialize(client, company_id)
      @client = client
      @company_id = company_id
    end

    def run(project_id)
      me = @client.list("me")
      vendors = @client.list("companies/#{@company_id}/vendors")
      # @client.create("projects/#{project_id}/drawings", {})
      @client.create("projects/#{project_id}/observations/items", observation_for(me))
      @client.update("projects/#{project_id}/punch_items/#{vendors.first['id']}", { name: "x" })
    end

    def images(project_id)
      uri = URI("https://api.procore.com/rest/v1.0/projects/#{project_id}/images")
      request = Net::HTTP::Get.new(uri)
      Net::HTTP.start(uri.host, uri.port, use_ssl: true) { |http| http.request(request) }
    end
  end
end
