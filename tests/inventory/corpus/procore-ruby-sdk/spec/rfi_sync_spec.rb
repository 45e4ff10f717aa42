require "rfi_sync"

RSpec.describe RfiSync do
  it "reads timesheets" do
    client = instance_double(Procore::Client)
    allow(client).to receive(:get).with("projects/1/timesheets")
    client.get("projects/1/timesheets")
  end
end
