package procore

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCompanies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	http.Post(srv.URL+"/rest/v1.0/companies/1/vendors", "application/json", nil)
}
