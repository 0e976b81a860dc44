"""What kubectl prints when the simulated apiserver refuses a request, and that nothing changed."""

from __future__ import annotations

from pathlib import Path

from cluster.kubeconfig import kubeconfig_yaml
from tests.kubeclients.conftest import MANIFESTS, Kubectl, Sandbox, Server


def variant(tmp_path: Path, name: str, replace: dict[str, str]) -> str:
    text = (MANIFESTS / "kubia-svc-nodeport.yaml").read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def resource_version(kubectl: Kubectl) -> str:
    return kubectl.json("get", "svc")["metadata"]["resourceVersion"]


def test_a_nodeport_taken_twice(kubectl: Kubectl, tmp_path: Path):
    kubectl("apply", "-f", str(MANIFESTS / "kubia-svc-nodeport.yaml"))
    before = resource_version(kubectl)
    second = variant(tmp_path, "second.yaml", {"name: kubia-nodeport": "name: kubia-nodeport2"})
    result = kubectl("apply", "-f", second, check=False)
    assert result.returncode == 1
    assert result.stderr == (
        'The Service "kubia-nodeport2" is invalid: spec.ports[0].nodePort: '
        "Invalid value: 30123: provided port is already allocated\n"
    )
    assert resource_version(kubectl) == before
    assert kubectl("get", "svc", "kubia-nodeport2", check=False).returncode == 1


def test_a_nodeport_out_of_range(kubectl: Kubectl, tmp_path: Path):
    manifest = variant(tmp_path, "low.yaml", {"nodePort: 30123": "nodePort: 80"})
    result = kubectl("create", "-f", manifest, check=False)
    assert result.returncode == 1
    assert result.stderr == (
        'The Service "kubia-nodeport" is invalid: spec.ports[0].nodePort: Invalid value: 80: '
        "provided port is not in the valid range. The range of valid ports is 30000-32767\n"
    )


def test_several_causes_print_as_a_list(kubectl: Kubectl, tmp_path: Path):
    path = tmp_path / "two-ports.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: two\nspec:\n  ports:\n  - port: 80\n  - port: 81\n"
    )
    result = kubectl("apply", "-f", str(path), check=False)
    assert result.returncode == 1
    assert result.stderr == (
        'The Service "two" is invalid: \n* spec.ports[0].name: Required value\n'
        "* spec.ports[1].name: Required value\n"
    )


def test_the_books_publish_not_ready_manifest_has_an_unknown_field(kubectl: Kubectl, tmp_path: Path):
    """kubia-svc-publish-not-ready.yaml uses a field that never existed: strict validation refuses it."""
    path = tmp_path / "kubia-svc-publish-not-ready.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubia-all\nspec:\n"
        "  publishNotReadyEndpoints: true\n  ports:\n  - port: 80\n    targetPort: 8080\n"
        "  selector:\n    app: kubia\n"
    )
    result = kubectl("apply", "-f", str(path), check=False)
    assert result.returncode == 1
    assert result.stderr == (
        f'Error from server (BadRequest): error when creating "{path}": Service in version "v1" cannot be '
        'handled as a Service: strict decoding error: unknown field "spec.publishNotReadyEndpoints"\n'
    )
    assert kubectl("get", "svc", "kubia-all", check=False).returncode == 1


def test_a_wrong_type(kubectl: Kubectl, tmp_path: Path):
    manifest = variant(tmp_path, "eighty.yaml", {"- port: 80": "- port: eighty"})
    result = kubectl("apply", "-f", manifest, check=False)
    assert result.returncode == 1
    assert (
        "json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32"
        in result.stderr
    )


def test_a_token_opens_its_own_sandbox_only(server: Server, sandbox: Sandbox, tmp_path: Path):
    other = server.sandbox("empty")
    crossed = tmp_path / "crossed.kubeconfig"
    crossed.write_text(kubeconfig_yaml(cluster_name="crossed", server=other.server, token=sandbox.token))
    stranger = Kubectl(server, Sandbox(other.id, "crossed", sandbox.token, other.server, crossed))
    result = stranger("get", "svc", check=False)
    assert result.returncode == 1
    # Discovery is refused first, so kubectl words it as it does against a real apiserver.
    assert result.stderr.endswith(
        "error: You must be logged in to the server "
        "(the server has asked for the client to provide credentials)\n"
    )
    assert Kubectl(server, other)("get", "svc").returncode == 0
