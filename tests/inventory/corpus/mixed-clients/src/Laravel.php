<?php
class Sync {
    public function run($projectId) {
        $base = config('services.procore.base', 'https://api.procore.com') . '/rest/v1.0';
        Http::withToken($this->token)->get("https://api.procore.com/rest/v1.0/projects/{$projectId}/meetings");
        Http::withToken($this->token)->patch($base . "/projects/{$projectId}/meetings/1", ['x' => 1]);
    }
}
