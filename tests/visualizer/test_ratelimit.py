"""Rate limits: per visitor (session or token) on pages, the JSON API and the Kubernetes API, new
sandboxes per hour, and a coarse limit per address; 429 with Retry-After and one sentence."""

import pytest
from django.test import Client, override_settings

from visualizer.ratelimit import hit


@override_settings(RATE_REQUESTS_PER_MINUTE=5)
def test_pages_past_the_visitors_limit_get_429_with_retry_after(db):
    visitor = Client()
    codes = [visitor.get("/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    refused = visitor.get("/")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.content.decode().startswith("Too many requests: this site takes at most 5 a minute")
    # Another visitor (another session) is not held back.
    assert Client().get("/").status_code == 200


@override_settings(RATE_REQUESTS_PER_MINUTE=3)
def test_the_kubernetes_api_answers_a_status_with_too_many_requests(kubia):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {kubia.access_token}"}
    client = Client()
    for _ in range(3):
        assert client.get(f"/k8s/{kubia.pk}/api/v1/namespaces/default/pods", **auth).status_code == 200
    refused = client.get(f"/k8s/{kubia.pk}/api/v1/namespaces/default/pods", **auth)
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"
    status = refused.json()
    assert status["kind"] == "Status" and status["reason"] == "TooManyRequests" and status["code"] == 429
    assert status["details"]["retryAfterSeconds"] == int(refused["Retry-After"])
    assert "at most 3 a minute" in status["message"]


@override_settings(RATE_REQUESTS_PER_MINUTE=2)
def test_the_json_api_answers_json(kubia, client_for):
    owner = client_for(kubia)  # by its ?token= link: counted for that token
    for _ in range(2):
        assert owner.get(f"/api/clusters/{kubia.pk}/").status_code == 200
    refused = owner.get(f"/api/clusters/{kubia.pk}/")
    assert refused.status_code == 429
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    assert refused.json()["detail"].startswith("Too many requests")


@override_settings(RATE_SANDBOXES_PER_HOUR=2)
def test_new_sandboxes_per_hour(db):
    visitor = Client()
    assert visitor.post("/clusters/new/", {"preset": "empty"}).status_code == 302
    assert visitor.post("/clusters/new/", {"preset": "empty"}).status_code == 302
    refused = visitor.post("/clusters/new/", {"preset": "empty"})
    assert refused.status_code == 429
    assert "Too many new sandboxes: at most 2 an hour" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert Client().post("/clusters/new/", {"preset": "empty"}).status_code == 302


@override_settings(RATE_ADDRESS_REQUESTS_PER_MINUTE=4, RATE_REQUESTS_PER_MINUTE=100)
def test_one_address_has_a_coarse_limit_of_its_own(db):
    codes = [Client().get("/").status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]
    assert "network address" in Client(REMOTE_ADDR="127.0.0.1").get("/").content.decode()
    assert Client(REMOTE_ADDR="10.1.2.3").get("/").status_code == 200


@override_settings(RATE_ADDRESS_REQUESTS_PER_MINUTE=2, RATE_PROXY_HOPS=1)
def test_behind_a_proxy_the_forwarded_address_counts(db):
    for _ in range(2):
        assert Client(HTTP_X_FORWARDED_FOR="203.0.113.9").get("/").status_code == 200
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.9").get("/").status_code == 429
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.10").get("/").status_code == 200


def test_a_class_of_200_behind_one_address_is_not_held_back_by_default(settings):
    # 200 students each loading 100 pages and API calls in a minute: under the address limit.
    assert settings.RATE_ADDRESS_REQUESTS_PER_MINUTE > 200 * 100
    assert settings.RATE_ADDRESS_SANDBOXES_PER_HOUR > 200 * 3


@pytest.mark.parametrize("limit", [0])
def test_a_zero_limit_is_off(limit):
    assert all(hit("off", limit, 60) is None for _ in range(100))


def test_windows_end_and_say_how_long_to_wait():
    assert hit("w", 1, 60, now=120.0) is None
    assert hit("w", 1, 60, now=150.5) == 30
    assert hit("w", 1, 60, now=180.0) is None


@override_settings(RATE_REQUESTS_PER_MINUTE=1, RATE_SANDBOXES_PER_HOUR=0)
def test_the_sentence_in_korean(db):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="ko")
    visitor.get("/")
    refused = visitor.get("/")
    assert refused.status_code == 429
    assert refused.content.decode().startswith("요청이 너무 많습니다: 이 사이트는 방문자 한 명에게서 1분에 최대 1개의")
