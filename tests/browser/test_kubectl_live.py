"""The real kubectl changes a sandbox and a browser watching it sees each change live."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.browser.sandbox_page import SandboxPage

MANIFESTS = Path(__file__).resolve().parents[1] / "kubeclients" / "manifests"


def test_kubectl_changes_appear_on_the_canvas(page, server, tmp_path):
    sandbox = server.create_sandbox("kubectl-live", preset="empty")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(server.manage("kubeconfig", "kubectl-live", "--server", server.base_url))

    def kubectl(*args: str) -> str:
        done = subprocess.run(["/usr/bin/kubectl", "--kubeconfig", str(kubeconfig), "--cache-dir",
                               str(tmp_path / "cache"), *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    watcher = SandboxPage.open(page, sandbox.owner_url).wait_live()
    watcher.mark_document()

    assert kubectl("apply", "-f", str(MANIFESTS / "kubia-replicaset.yaml")).strip() == "replicaset.apps/kubia created"
    assert kubectl("apply", "-f", str(MANIFESTS / "kubia-svc-nodeport.yaml")).strip() == \
        "service/kubia-nodeport created"
    watcher.wait_state("s.scene.services.includes('default/kubia-nodeport')")
    watcher.wait_state("s.scene.pods === 3")
    assert "kubia-nodeport" in watcher.column("services")

    kubectl("scale", "rs", "kubia", "--replicas=5")
    watcher.wait_state("s.scene.pods === 5")

    kubectl("delete", "svc", "kubia-nodeport")
    watcher.wait_state("!s.scene.services.includes('default/kubia-nodeport')")
    assert watcher.same_document()
    watcher.screenshots("kubectl-live")
