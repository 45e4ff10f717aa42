RSpec.describe Procore::Sync do
  it "lists vendors" do
    stub_request(:get, "https://api.procore.com/rest/v1.0/companies/1/vendors").to_return(body: "[]")
    client.list("projects/1/rfis")
  end
end
