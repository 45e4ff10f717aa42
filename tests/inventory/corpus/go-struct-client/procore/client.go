package procore

import ("fmt"; "net/http")

const BaseURL = "https://api.procore.com/rest"

type Client struct {
	baseURL string
	http    *http.Client
}

func NewClient() *Client {
	return &Client{baseURL: BaseURL + "/v1.0", http: http.DefaultClient}
}

func (c *Client) Vendors(companyID int) (*http.Response, error) {
	return c.http.Get(fmt.Sprintf("%s/companies/%d/vendors", c.baseURL, companyID))
}

func (c *Client) Delete(path string) (*http.Response, error) {
	req, _ := http.NewRequest("DELETE", c.baseURL+path, nil)
	return c.http.Do(req)
}

func (c *Client) RemoveImage(projectID, imageID int) {
	c.Delete(fmt.Sprintf("/projects/%d/images/%d", projectID, imageID))
}
