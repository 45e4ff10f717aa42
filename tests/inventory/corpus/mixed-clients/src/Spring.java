class ProcoreWeb {
    private final WebClient web = WebClient.create("https://api.procore.com/rest/v1.0");
    Mono<String> tasks(long projectId) {
        return web.get().uri("/projects/{id}/tasks", projectId).retrieve().bodyToMono(String.class);
    }
    Mono<String> addTask(long projectId, Task t) {
        return web.post()
            .uri(uriBuilder -> uriBuilder.path("/projects/{id}/tasks").build(projectId))
            .bodyValue(t).retrieve().bodyToMono(String.class);
    }
}
