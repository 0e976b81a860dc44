"""The sandbox quota as the page's forms and YAML tab meet it (the same Status as kubectl gets)."""

import json

from django.test import override_settings

from cluster.models import Node, Pod


def test_the_node_form_reports_the_node_limit(kubia, owner_client):
    nodes = Node.objects.filter(cluster=kubia).count()
    with override_settings(SANDBOX_MAX_NODES=nodes):
        response = owner_client.post(f"/clusters/{kubia.pk}/nodes/new/", {})
    text = json.dumps(response.json())
    assert response.status_code >= 400
    assert "exceeded the sandbox&#x27;s node limit" in text or "exceeded the sandbox's node limit" in text
    assert Node.objects.filter(cluster=kubia).count() == nodes


def test_the_yaml_tab_reports_the_pod_quota(kubia, owner_client):
    pods = Pod.objects.filter(cluster=kubia).count()
    manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: one-more\nspec:\n  containers:\n  - name: c\n    image: x\n"
    with override_settings(SANDBOX_MAX_PODS=pods):
        response = owner_client.post(f"/clusters/{kubia.pk}/apply/", {"yaml": manifest},
                                     content_type="application/json")
    body = response.json()
    assert response.status_code == 400 and body["ok"] is False
    assert (f'pods "one-more" is forbidden: exceeded quota: sandbox, requested: pods=1, used: pods={pods}, '
            f"limited: pods={pods}") in body["error"]
