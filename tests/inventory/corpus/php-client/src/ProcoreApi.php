<?php

namespace Acme\Procore;

use GuzzleHttp\Client;

class ProcoreApi
{
    const API_BASE = 'https://api.procore.com/rest/v1.0';

    private $http;

    public function __construct(Client $http)
    {
        $this->http = $http;
    }

    public function observations(int $projectId): array
    {
        $response = $this->http->request('GET', self::API_BASE . "/projects/{$projectId}/observations/items");
        return json_decode((string) $response->getBody(), true);
    }

    public function createObservation(int $projectId, array $item): array
    {
        $url = self::API_BASE . '/projects/' . $projectId . '/observations/items';
        $response = $this->http->post($url, ['json' => ['observation' => $item]]);
        return json_decode((string) $response->getBody(), true);
    }

    public function companyProjects(int $companyId): array
    {
        $ch = curl_init();
        curl_setopt($ch, CURLOPT_URL, self::API_BASE . "/companies/$companyId/projects");
        curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
        $body = curl_exec($ch);
        return json_decode($body, true);
    }

    public function deleteTodo(int $projectId, int $todoId): void
    {
        $ch = curl_init(self::API_BASE . "/projects/$projectId/todos/$todoId");
        curl_setopt($ch, CURLOPT_CUSTOMREQUEST, "DELETE");
        curl_exec($ch);
    }
}
