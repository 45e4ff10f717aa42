package procore

// Endpoint URLs used by the connector.
const (
	BaseURL = "https://api.procore.com/rest"

	GetCompaniesURL    = BaseURL + "/v1.0/companies"
	GetProjectsURL     = BaseURL + "/v1.0/companies/%d/projects"
	ProjectUsersURL    = BaseURL + "/v1.0/projects/%d/users"
	TimecardEntriesURL = BaseURL + "/v1.0/projects/%d/timecard_entries"
	// OldSubmittalsURL = BaseURL + "/v1.0/projects/%d/submittals"
)

var ChangeEventsURL = BaseURL + "/v1.0/change_events"
