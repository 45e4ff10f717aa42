package procore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

type Client struct {
	httpClient *http.Client
	token      string
	companyID  int
}

func (c *Client) do(ctx context.Context, method, url string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Procore-Company-Id", fmt.Sprint(c.companyID))
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *Client) Companies(ctx context.Context) ([]Company, error) {
	var out []Company
	err := c.do(ctx, http.MethodGet, GetCompaniesURL, nil, &out)
	return out, err
}

func (c *Client) Projects(ctx context.Context, companyID int) ([]Project, error) {
	var out []Project
	url := fmt.Sprintf(GetProjectsURL, companyID)
	err := c.do(ctx, http.MethodGet, url, nil, &out)
	return out, err
}
