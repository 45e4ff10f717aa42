interface ProcoreHooks {
    @GET("webhooks/hooks")
    Call<List<Hook>> hooks(@Query("project_id") long projectId);

    @POST("webhooks/hooks/{id}/triggers")
    Call<Trigger> addTrigger(@Path("id") long id, @Query("project_id") long projectId, @Body Trigger t);
}
class Setup {
    Retrofit retrofit = new Retrofit.Builder().baseUrl("https://api.procore.com/rest/v1.0/").build();
}
@RestController
class Receiver {
    @PostMapping("/webhooks/procore")
    public void receive() {}
}
