package export

import (
	"fmt"
	"net/http"
)

const api = "https://api.procore.com/rest/v1.0"

// Meetings and their categories, read in a range over a slice literal.
func Meetings(client *http.Client, projectID int) error {
	for _, resource := range []string{"meetings", "meeting_categories"} {
		if _, err := client.Get(fmt.Sprintf("%s/projects/%d/%s", api, projectID, resource)); err != nil {
			return err
		}
	}
	return nil
}
