<?php
class ProcoreApiTest extends TestCase
{
    public function testObservations()
    {
        $mock = new MockHandler([new Response(200, [], '[]')]);
        $this->http->request('DELETE', 'https://api.procore.com/rest/v1.0/projects/1/observations/items/2');
    }
}
