package com.acme.procore;

class ProcoreServiceTest {
    void mocks() {
        wireMock.stubFor(get(urlEqualTo("/rest/v1.0/projects/1/punch_items")));
        rest.delete("https://api.procore.com/rest/v1.0/projects/1/punch_items/3");
    }
}
