"""In Korean, the console's own hints and the trace API's refusals are Korean; what kubectl, curl and
the apiserver print stays as they print it."""

from __future__ import annotations

import pytest
from django.utils import translation

from cluster.errors import ApiError
from cluster.models import Trace
from cluster.services.console import HELP
from cluster.services.traces import trace_create
from tests.cluster.test_console import run


@pytest.fixture
def korean():
    with translation.override("ko"):
        yield


def test_help_is_korean_with_the_commands_as_typed(kubia, korean):
    text, code = run(kubia, "help")
    assert code == 0 and text.startswith("이 콘솔에서 실행되는 명령(출력은 kubectl 1.31과 같습니다):\n")
    english, korean_lines = HELP.splitlines(), text.splitlines()
    assert len(english) == len(korean_lines)
    assert "  kubectl scale deployment|rs NAME --replicas=N" in korean_lines


def test_console_hints_are_korean(kubia, korean):
    assert run(kubia, "curl --from node/node-9 10.98.39.92") == ("curl: --from: 이 샌드박스에는 node-9 노드가 없습니다\n", 2)
    text, code = run(kubia, "kubectl logs kubia")
    assert code == 1 and text.startswith("error: 이 콘솔에서는 kubectl logs 명령을 쓸 수 없습니다.\n\n이 콘솔에서")
    text, code = run(kubia, "kubectl get pods --watch")
    assert code == 1 and text == "error: 이 콘솔에서는 --watch를 쓸 수 없습니다. 대신 그림과 표 탭이 실시간으로 갱신됩니다\n"
    text, code = run(kubia, "kubectl exec kubia-ftb9q -- wget -qO- kubia")
    assert code == 126 and text.endswith("(시뮬레이션된 컨테이너는 curl만 실행합니다: kubectl exec POD -- curl -s ADDRESS)\n")
    assert text.startswith('OCI runtime exec failed: exec failed: unable to start container process: exec: "wget"')


def test_kubectl_and_curl_output_stay_english(kubia, korean):
    text, code = run(kubia, "kubectl get svc nosuch")
    assert code == 1 and text == 'Error from server (NotFound): services "nosuch" not found\n'
    text, code = run(kubia, "curl -s --max-time 1 10.98.39.92:81")
    assert code == 28 and text == ""
    text, code = run(kubia, "curl 10.98.39.92:81")
    assert text.startswith("curl: (") and "Failed to connect to 10.98.39.92 port 81" in text


def test_trace_api_refusals_follow_the_request_language(kubia):
    with translation.override("ko"), pytest.raises(ApiError) as error:
        trace_create(cluster=kubia, source="node/node-9", destination="kubia:80")
    assert error.value.status["message"].startswith('source로 쓸 수 없는 값입니다: "node/node-9"')
    with translation.override("ko"), pytest.raises(ApiError) as error:
        trace_create(cluster=kubia, source="external", destination="10.98.39.92")
    assert error.value.status["message"] == "destination은 host:port 형식이어야 합니다. 받은 값: '10.98.39.92'"
    with translation.override("en"), pytest.raises(ApiError) as error:
        trace_create(cluster=kubia, source="external", destination="10.98.39.92")
    assert error.value.status["message"] == "destination must look like host:port, got '10.98.39.92'"
    with translation.override("ko"), pytest.raises(ApiError) as error:
        trace_create(cluster=kubia, source="external", destination="10.98.39.92:80", count=21)
    assert error.value.status["message"] == "count는 1에서 20 사이여야 합니다"


def test_a_stored_trace_is_the_same_whatever_the_sender_speaks(kubia):
    with translation.override("ko"):
        korean = trace_create(cluster=kubia, source="external", destination="10.98.39.92:80", seed=1)[0]
    with translation.override("en"):
        english = trace_create(cluster=kubia, source="external", destination="10.98.39.92:80", seed=1)[0]
    assert korean["reason"] == english["reason"] == (
        "10.98.39.92 is a clusterIP: it exists only in kube-proxy's rules inside the cluster."
    )
    assert korean["i18n"]["ko"]["reason"] == "10.98.39.92 주소는 clusterIP입니다. 클러스터 내부의 kube-proxy 규칙 안에만 있는 주소입니다."
    stored = Trace.objects.get(pk=korean["id"]).body
    assert stored["i18n"] == korean["i18n"]
