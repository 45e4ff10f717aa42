from unittest import mock

import requests

from procore_sdk.resources.rfis import Rfis


@mock.patch("requests.get")
def test_get(get):
    get.return_value.json.return_value = []
    Rfis("t", "https://sandbox.procore.com").get(1, 2)
    requests.get("https://sandbox.procore.com/rest/v1.0/projects/2/rfis")
    requests.delete("https://sandbox.procore.com/rest/v1.0/projects/2/drawings/4")
