require "oauth2"

module Procore
  class Client
    attr_reader :api_version

    def initialize(access_token, api_version: "v1.0")
      @access_token = access_token
      @api_version = api_version
    end

    def list(endpoint, params = {})
      get("/rest/#{api_version}/#{endpoint}", params)
    end

    def create(endpoint, body)
      post("/rest/#{api_version}/#{endpoint}", body)
    end

    def update(endpoint, body)
      @access_token.patch("/rest/#{api_version}/#{endpoint}", body: body.to_json)
    end

    private

    def get(path, params)
      @access_token.get(path, params: params).parsed
    end

    def post(path, body)
      @access_token.post(path, body: body.to_json, headers: { "Content-Type" => "application/json" })
    end
  end
end
