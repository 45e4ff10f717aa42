package procore

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
)

func (c *Client) ProjectUsers(ctx context.Context, projectID int) ([]User, error) {
	var out []User
	return out, c.do(ctx, http.MethodGet, fmt.Sprintf(ProjectUsersURL, projectID), nil, &out)
}

func (c *Client) AddTimecardEntry(ctx context.Context, projectID int, payload []byte) error {
	var out map[string]any
	return c.do(ctx, http.MethodPost,
		fmt.Sprintf(TimecardEntriesURL, projectID),
		bytes.NewReader(payload), &out)
}

func (c *Client) UpdateTimecardEntry(ctx context.Context, projectID, entryID int, payload []byte) error {
	url := fmt.Sprintf("%s/%d", fmt.Sprintf(TimecardEntriesURL, projectID), entryID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, url, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	_, err = c.httpClient.Do(req)
	return err
}

func (c *Client) ChangeEvents(ctx context.Context, projectID int) error {
	resp, err := http.Get(ChangeEventsURL + "?project_id=" + fmt.Sprint(projectID))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
