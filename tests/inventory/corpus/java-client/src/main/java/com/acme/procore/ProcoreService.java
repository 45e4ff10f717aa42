package com.acme.procore;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class ProcoreService {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String token;

    public ProcoreService(String token) {
        this.token = token;
    }

    public String punchItems(long projectId) throws Exception {
        HttpRequest request = HttpRequest.newBuilder()
            .uri(URI.create(String.format(ApiPaths.PUNCH_ITEMS, projectId)))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    public String createPunchItem(long projectId, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder()
            .uri(URI.create(String.format(ApiPaths.PUNCH_ITEMS, projectId)))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    public void updateChangeOrder(long projectId, long id, String json) throws Exception {
        String url = ApiPaths.API + ApiPaths.CHANGE_ORDERS + "/" + id + "?project_id=" + projectId;
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
            .method("PATCH", HttpRequest.BodyPublishers.ofString(json))
            .build();
        http.send(request, HttpResponse.BodyHandlers.discarding());
    }

    public String budgetViews(long companyId, long projectId) throws Exception {
        RestTemplate rest = new RestTemplate();
        return rest.getForObject(ApiPaths.API + "/budget_views?project_id=" + projectId, String.class);
    }
}
