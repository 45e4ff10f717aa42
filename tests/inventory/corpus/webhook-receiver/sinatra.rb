require "sinatra"
post "/webhooks/procore" do
  status 200
end
