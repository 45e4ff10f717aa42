describe ProcoreParty do
  it "posts" do
    stub_request(:post, "https://api.procore.com/rest/v1.0/projects/1/punch_items")
    HTTParty.delete("https://api.procore.com/rest/v1.0/projects/1/punch_items/2")
  end
end
