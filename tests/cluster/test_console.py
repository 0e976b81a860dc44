"""The console on the kubia preset (seed 1): each command's exact text, as kubectl 1.31 and curl print it.

The expected tables were checked against /usr/bin/kubectl talking to the sandbox's Kubernetes API.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cluster.console import Flag, UsageError, parse_flags, words
from cluster.models import Cluster, Trace
from cluster.selectors import object_get, object_list
from cluster.services.console import HELP, console_run
from cluster.sim.printers.format import parse_time

PODS = {"kubia-ftb9q": ("10.244.3.2", "node-3"), "kubia-lft7s": ("10.244.1.2", "node-1"),
        "kubia-t2q8j": ("10.244.2.2", "node-2")}


def run(cluster: Cluster, command: str) -> tuple[str, int]:
    """The command's output and exit code, five minutes after the preset was made."""
    made = object_get(cluster=cluster, kind="Service", namespace="default", name="kubia")["metadata"]
    now = parse_time(made["creationTimestamp"]) + timedelta(minutes=5)
    result = console_run(cluster=cluster, command=command, now=now, seed=3)
    return result.output, result.exit_code


def out(cluster: Cluster, command: str) -> str:
    text, code = run(cluster, command)
    assert code == 0, text
    return text


def lines(*rows: str) -> str:
    return "".join(f"{row}\n" for row in rows)


def rv(cluster: Cluster) -> int:
    cluster.refresh_from_db()
    return cluster.resource_version


# --- get ------------------------------------------------------------------------------------------


def test_get_services(kubia):
    assert out(kubia, "kubectl get svc") == lines(
        "NAME                 TYPE           CLUSTER-IP      EXTERNAL-IP      PORT(S)        AGE",
        "kubernetes           ClusterIP      10.96.0.1       <none>           443/TCP        5m",
        "kubia                ClusterIP      10.98.39.92     <none>           80/TCP         5m",
        "kubia-loadbalancer   LoadBalancer   10.109.144.23   130.211.53.173   80:30344/TCP   5m",
        "kubia-nodeport       NodePort       10.105.28.118   <none>           80:30123/TCP   5m",
    )
    assert out(kubia, "kubectl get services kubia -o wide") == lines(
        "NAME    TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE   SELECTOR",
        "kubia   ClusterIP   10.98.39.92   <none>        80/TCP    5m    app=kubia",
    )


def test_get_endpoints_and_slices(kubia):
    assert out(kubia, "kubectl get ep kubia kubia-nodeport") == lines(
        "NAME             ENDPOINTS                                         AGE",
        "kubia            10.244.1.2:8080,10.244.2.2:8080,10.244.3.2:8080   5m",
        "kubia-nodeport   10.244.1.2:8080,10.244.2.2:8080,10.244.3.2:8080   5m",
    )
    assert out(kubia, "kubectl get endpointslices") == lines(
        "NAME                       ADDRESSTYPE   PORTS   ENDPOINTS                          AGE",
        "kubernetes                 IPv4          6443    10.0.0.2                           5m",
        "kubia-loadbalancer-5sl68   IPv4          8080    10.244.3.2,10.244.1.2,10.244.2.2   5m",
        "kubia-nodeport-kxfnb       IPv4          8080    10.244.3.2,10.244.1.2,10.244.2.2   5m",
        "kubia-rz77b                IPv4          8080    10.244.3.2,10.244.1.2,10.244.2.2   5m",
    )


def test_get_pods_wide_with_labels_and_a_selector(kubia):
    assert out(kubia, "kubectl get po -o wide") == lines(
        "NAME          READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES",
        "kubia-ftb9q   1/1     Running   0          5m    10.244.3.2   node-3   <none>           <none>",
        "kubia-lft7s   1/1     Running   0          5m    10.244.1.2   node-1   <none>           <none>",
        "kubia-t2q8j   1/1     Running   0          5m    10.244.2.2   node-2   <none>           <none>",
    )
    assert out(kubia, "kubectl get pods -l app=kubia --show-labels") == lines(
        "NAME          READY   STATUS    RESTARTS   AGE   LABELS",
        "kubia-ftb9q   1/1     Running   0          5m    app=kubia",
        "kubia-lft7s   1/1     Running   0          5m    app=kubia",
        "kubia-t2q8j   1/1     Running   0          5m    app=kubia",
    )
    assert run(kubia, "kubectl get pods -l app=web") == ("No resources found in default namespace.\n", 0)


def test_get_other_kinds(kubia):
    assert out(kubia, "kubectl get rs") == lines(
        "NAME    DESIRED   CURRENT   READY   AGE",
        "kubia   3         3         3       5m",
    )
    assert out(kubia, "kubectl get deploy") == "No resources found in default namespace.\n"
    assert out(kubia, "kubectl get nodes") == lines(
        "NAME     STATUS   ROLES    AGE   VERSION",
        "node-1   Ready    <none>   5m    v1.31.0",
        "node-2   Ready    <none>   5m    v1.31.0",
        "node-3   Ready    <none>   5m    v1.31.0",
    )
    assert out(kubia, "kubectl get ns") == lines(
        "NAME              STATUS   AGE",
        "default           Active   5m",
        "kube-node-lease   Active   5m",
        "kube-public       Active   5m",
        "kube-system       Active   5m",
    )


def test_get_all_prints_one_table_per_kind(kubia):
    assert out(kubia, "kubectl get all") == lines(
        "NAME              READY   STATUS    RESTARTS   AGE",
        "pod/kubia-ftb9q   1/1     Running   0          5m",
        "pod/kubia-lft7s   1/1     Running   0          5m",
        "pod/kubia-t2q8j   1/1     Running   0          5m",
        "",
        "NAME                         TYPE           CLUSTER-IP      EXTERNAL-IP      PORT(S)        AGE",
        "service/kubernetes           ClusterIP      10.96.0.1       <none>           443/TCP        5m",
        "service/kubia                ClusterIP      10.98.39.92     <none>           80/TCP         5m",
        "service/kubia-loadbalancer   LoadBalancer   10.109.144.23   130.211.53.173   80:30344/TCP   5m",
        "service/kubia-nodeport       NodePort       10.105.28.118   <none>           80:30123/TCP   5m",
        "",
        "NAME                    DESIRED   CURRENT   READY   AGE",
        "replicaset.apps/kubia   3         3         3       5m",
    )


def test_get_across_namespaces_and_by_type_and_name(kubia):
    assert out(kubia, "kubectl get svc -A").splitlines()[:2] == [
        "NAMESPACE   NAME                 TYPE           CLUSTER-IP      EXTERNAL-IP      PORT(S)        AGE",
        "default     kubernetes           ClusterIP      10.96.0.1       <none>           443/TCP        5m",
    ]
    assert out(kubia, "kubectl get svc/kubia ep/kubia") == lines(
        "NAME            TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE",
        "service/kubia   ClusterIP   10.98.39.92   <none>        80/TCP    5m",
        "",
        "NAME              ENDPOINTS                                         AGE",
        "endpoints/kubia   10.244.1.2:8080,10.244.2.2:8080,10.244.3.2:8080   5m",
    )
    assert out(kubia, "kubectl -n kube-system get pods") == "No resources found in kube-system namespace.\n"


def test_get_as_yaml_json_and_names(kubia):
    assert out(kubia, "kubectl get svc -o name") == lines(
        "service/kubernetes", "service/kubia", "service/kubia-loadbalancer", "service/kubia-nodeport")
    yaml_text = out(kubia, "kubectl get svc kubia-nodeport -o yaml")
    assert yaml_text.startswith("apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: \"")
    assert "  ports:\n  - nodePort: 30123\n    port: 80\n    protocol: TCP\n    targetPort: 8080\n" in yaml_text
    listed = out(kubia, "kubectl get deploy,rs -o json")
    assert listed.startswith('{\n    "apiVersion": "v1",\n    "items": [\n        {\n')
    assert listed.endswith('    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')


@pytest.mark.parametrize(("command", "text"), [
    ("kubectl get svc nope", 'Error from server (NotFound): services "nope" not found\n'),
    ("kubectl get deploy nope", 'Error from server (NotFound): deployments.apps "nope" not found\n'),
    ("kubectl get foo", 'error: the server doesn\'t have a resource type "foo"\n'),
    ("kubectl get svc -o foo", 'error: unable to match a printer suitable for the output format "foo", allowed '
                               "formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,"
                               "jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n"),
    ("kubectl get svc --bogus", "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"),
    ("kubectl get svc -z", "error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage.\n"),
    ("kubectl get svc -o", "error: flag needs an argument: 'o' in -o\nSee 'kubectl get --help' for usage.\n"),
    ("kubectl get svc kubia -A", "error: a resource cannot be retrieved by name across all namespaces\n"),
    ("kubectl get pods -l 'a b'",
     'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "a b", field '
     "selector \"\": unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt\n"),
    ("kubectl gte svc", 'error: unknown command "gte" for "kubectl"\n\nDid you mean this?\n\tget\n'),
    ("kubectl frobnicate", 'error: unknown command "frobnicate" for "kubectl"\n'),
    ("kubectl describe", 'error: You must specify the type of resource to describe. Use "kubectl api-resources" for '
                         "a complete list of supported resources.\n"),
    ("kubectl describe svc nope", 'Error from server (NotFound): services "nope" not found\n'),
])
def test_errors_read_like_kubectl(kubia, command, text):
    assert run(kubia, command) == (text, 1)


def test_get_without_a_type(kubia):
    text, code = run(kubia, "kubectl get")
    assert code == 1
    assert text.startswith('You must specify the type of resource to get. Use "kubectl api-resources" for a '
                           "complete list of supported resources.\n\nerror: Required resource not specified.\n")


def test_some_found_some_not(kubia):
    assert run(kubia, "kubectl get svc kubia nope") == (lines(
        "NAME    TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE",
        "kubia   ClusterIP   10.98.39.92   <none>        80/TCP    5m",
        'Error from server (NotFound): services "nope" not found'), 1)


# --- describe -------------------------------------------------------------------------------------


def test_describe_a_service(kubia):
    assert out(kubia, "kubectl describe svc kubia-nodeport") == lines(
        "Name:                     kubia-nodeport",
        "Namespace:                default",
        "Labels:                   <none>",
        "Annotations:              <none>",
        "Selector:                 app=kubia",
        "Type:                     NodePort",
        "IP Family Policy:         SingleStack",
        "IP Families:              IPv4",
        "IP:                       10.105.28.118",
        "IPs:                      10.105.28.118",
        "Port:                     <unset>  80/TCP",
        "TargetPort:               8080/TCP",
        "NodePort:                 <unset>  30123/TCP",
        "Endpoints:                10.244.3.2:8080,10.244.1.2:8080,10.244.2.2:8080",
        "Session Affinity:         None",
        "External Traffic Policy:  Cluster",
        "Internal Traffic Policy:  Cluster",
        "Events:                   <none>",
    )


def test_describe_by_name_prefix(kubia):
    text = out(kubia, "kubectl describe svc kubia-")
    assert [line for line in text.splitlines() if line.startswith("Name:")] == [
        "Name:                     kubia-loadbalancer", "Name:                     kubia-nodeport"]
    assert "Events:                   <none>\n\nName:" in text and text.endswith("<none>\n\n")


def test_describe_other_kinds(kubia):
    assert out(kubia, "kubectl describe ep kubia").startswith("Name:         kubia\nNamespace:    default\n")
    assert "  Addresses:          10.244.1.2,10.244.2.2,10.244.3.2\n" in out(kubia, "kubectl describe ep kubia")
    assert out(kubia, "kubectl describe endpointslice kubernetes").startswith("Name:         kubernetes\n")
    assert "Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n" in out(kubia, "kubectl describe rs kubia")
    assert "node-3/10.0.0.13\n" in out(kubia, "kubectl describe pod kubia-ftb9q")
    node = out(kubia, "kubectl describe node node-1")
    assert node.startswith("Name:               node-1\nRoles:              <none>\n")
    assert "  default                     kubia-lft7s" in node
    nodes = out(kubia, "kubectl describe nodes")
    assert nodes.count("\nName:               node-") == 2 and "\n\n\nName:               node-2" in nodes


# --- changes --------------------------------------------------------------------------------------


def test_apply_a_book_manifest(kubia):
    assert out(kubia, "ls").splitlines()[:2] == ["external-service-endpoints.yaml", "external-service-externalname.yaml"]
    assert out(kubia, "cat kubia-svc-headless.yaml").startswith("apiVersion: v1\nkind: Service\n")
    assert out(kubia, "kubectl apply -f kubia-svc-headless.yaml") == "service/kubia-headless created\n"
    assert out(kubia, "kubectl apply -f ./kubia-svc-headless.yaml") == "service/kubia-headless unchanged\n"
    assert out(kubia, "kubectl get svc kubia-headless").splitlines()[1].split()[:3] == [
        "kubia-headless", "ClusterIP", "None"]
    assert run(kubia, "kubectl apply -f kubia-svc-publish-not-ready.yaml") == (
        'Error from server (BadRequest): error when creating "kubia-svc-publish-not-ready.yaml": Service in version '
        '"v1" cannot be handled as a Service: strict decoding error: unknown field "spec.publishNotReadyEndpoints"\n',
        1)
    assert run(kubia, "kubectl apply -f nope.yaml") == ('error: the path "nope.yaml" does not exist\n', 1)
    assert run(kubia, "kubectl apply") == ("error: must specify one of -f and -k\n", 1)
    assert run(kubia, "cat nope.yaml") == ("cat: nope.yaml: No such file or directory\n", 1)


def test_apply_over_an_object_made_otherwise_warns(kubia):
    text = out(kubia, "kubectl apply -f kubia-svc-nodeport.yaml")
    assert text.startswith("Warning: resource services/kubia-nodeport is missing the kubectl.kubernetes.io/"
                           "last-applied-configuration annotation")
    assert text.endswith("\nservice/kubia-nodeport configured\n")


def test_create_expose_scale_and_delete(kubia):
    assert out(kubia, "kubectl create deployment web --image=nginx:1.25 --replicas=2 --port=80") == (
        "deployment.apps/web created\n")
    web = object_get(cluster=kubia, kind="Deployment", namespace="default", name="web")
    assert web["spec"]["template"]["spec"]["containers"][0]["name"] == "nginx"
    assert web["metadata"]["labels"] == {"app": "web"}

    assert out(kubia, "kubectl expose deployment web --port=80 --target-port=80 --type=NodePort") == (
        "service/web exposed\n")
    svc = object_get(cluster=kubia, kind="Service", namespace="default", name="web")
    assert (svc["spec"]["type"], svc["spec"]["selector"], svc["metadata"]["labels"]) == (
        "NodePort", {"app": "web"}, {"app": "web"})
    assert out(kubia, "kubectl expose rs kubia --name=kubia-8080") == "service/kubia-8080 exposed\n"
    port = object_get(cluster=kubia, kind="Service", namespace="default", name="kubia-8080")["spec"]["ports"][0]
    assert (port["port"], port["targetPort"]) == (8080, 8080)

    assert out(kubia, "kubectl scale deploy/web --replicas=3") == "deployment.apps/web scaled\n"
    assert len([p for p in object_list(cluster=kubia, kind="Pod") if p["metadata"]["labels"].get("app") == "web"]) == 3
    assert out(kubia, "kubectl scale rs kubia --replicas=1") == "replicaset.apps/kubia scaled\n"

    assert out(kubia, "kubectl delete svc web kubia-8080") == 'service "web" deleted\nservice "kubia-8080" deleted\n'
    assert out(kubia, "kubectl delete deploy web") == 'deployment.apps "web" deleted\n'
    assert object_list(cluster=kubia, kind="Pod", namespace="default") and all(
        p["metadata"]["labels"]["app"] == "kubia" for p in object_list(cluster=kubia, kind="Pod"))


@pytest.mark.parametrize(("command", "text"), [
    ("kubectl create deployment web", 'error: required flag(s) "image" not set\n'),
    ("kubectl create deployment kubia --image=x --replicas=x",
     "error: invalid argument \"x\" for \"--replicas\" flag: strconv.ParseInt: parsing \"x\": invalid syntax\n"
     "See 'kubectl create deployment --help' for usage.\n"),
    ("kubectl create deployment Web --image=nginx",
     'error: failed to create deployment: Deployment.apps "Web" is invalid: metadata.name: Invalid value: "Web": a '
     "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
     "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"),
    ("kubectl expose rs kubia", 'Error from server (AlreadyExists): services "kubia" already exists\n'),
    ("kubectl expose rs nope --port=80", 'Error from server (NotFound): replicasets.apps "nope" not found\n'),
    ("kubectl expose rs kubia --port=80 --name=kubia-np2 --type=NodePort --target-port=8080 --bogus",
     "error: unknown flag: --bogus\nSee 'kubectl expose --help' for usage.\n"),
    ("kubectl scale rs kubia", 'error: required flag(s) "replicas" not set\n'),
    ("kubectl scale rs kubia --replicas=-1",
     "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n"),
    ("kubectl scale deployment nope --replicas=2", 'Error from server (NotFound): deployments.apps "nope" not found\n'),
    ("kubectl delete svc nope", 'Error from server (NotFound): services "nope" not found\n'),
    ("kubectl delete svc", "error: resource(s) were provided, but no name was specified\n"),
])
def test_failed_changes_change_nothing(kubia, command, text):
    before = rv(kubia)
    assert run(kubia, command) == (text, 1)
    assert rv(kubia) == before


def test_an_invalid_expose_prints_the_apiservers_causes(kubia):
    text, code = run(kubia, "kubectl expose rs kubia --port=80 --name=kubia-np2 --type=NodePort --target-port=8080")
    assert (text, code) == ("service/kubia-np2 exposed\n", 0)
    text, code = run(kubia, "kubectl expose rs kubia --port=0 --name=zero")
    assert code == 1
    assert text == lines('The Service "zero" is invalid: ',
                         "* spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                         "* spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive")


# --- requests -------------------------------------------------------------------------------------


def test_curl_from_outside_animates_a_trace(kubia):
    before = Trace.objects.filter(cluster=kubia).count()

    text, code = run(kubia, "curl http://130.211.97.55:30123")

    assert code == 0 and text in {f"You've hit {pod}\n" for pod in PODS}
    assert Trace.objects.filter(cluster=kubia).count() == before + 1


def test_curl_from_outside_reaches_a_nodes_external_ip_not_its_internal_ip(kubia):
    assert run(kubia, "curl http://130.211.99.206:30123")[0].startswith("You've hit kubia-")
    assert run(kubia, "curl -m 2 http://10.0.0.12:30123") == (
        "curl: (28) Failed to connect to 10.0.0.12 port 30123 after 2001 ms: Timeout was reached\n", 28)
    assert run(kubia, "curl --from node/node-1 http://10.0.0.12:30123")[0].startswith("You've hit kubia-")


def test_curl_through_the_load_balancer_and_from_a_node(kubia):
    assert run(kubia, "curl 130.211.53.173")[0].startswith("You've hit kubia-")
    assert run(kubia, "curl --from node/node-1 http://10.98.39.92")[0].startswith("You've hit kubia-")
    assert run(kubia, "curl --from node/node-9 10.98.39.92") == ("curl: --from: this sandbox has no node node-9\n", 2)


def test_exec_curl_from_a_pod_resolves_service_names(kubia):
    assert run(kubia, "kubectl exec kubia-ftb9q -- curl -s http://kubia")[0].startswith("You've hit kubia-")
    assert run(kubia, "kubectl exec -it kubia-ftb9q -- curl -s kubia.default.svc.cluster.local:80")[1] == 0


def test_curl_failures_print_curls_messages(kubia):
    assert run(kubia, "curl kubia") == ("curl: (6) Could not resolve host: kubia\n", 6)
    assert run(kubia, "curl -s kubia") == ("", 6)
    assert run(kubia, "curl 10.98.39.92") == (
        "curl: (28) Failed to connect to 10.98.39.92 port 80 after 5001 ms: Timeout was reached\n", 28)
    assert run(kubia, "kubectl exec kubia-ftb9q -- curl -s http://nothing") == (
        "command terminated with exit code 6\n", 6)
    assert run(kubia, "kubectl exec kubia-ftb9q -- curl -sS http://nothing") == (
        "curl: (6) Could not resolve host: nothing\ncommand terminated with exit code 6\n", 6)


def test_refused_when_no_pod_is_ready(kubia):
    out(kubia, "kubectl scale rs kubia --replicas=0")
    assert run(kubia, "curl http://130.211.97.55:30123") == (
        "curl: (7) Failed to connect to 130.211.97.55 port 30123 after 0 ms: Couldn't connect to server\n", 7)


def test_dropped_by_external_traffic_policy_local(kubia):
    out(kubia, "kubectl apply -f kubia-svc-nodeport-onlylocal.yaml")
    out(kubia, "kubectl scale rs kubia --replicas=1")
    pod = object_list(cluster=kubia, kind="Pod")[0]
    empty_node = next(n for n in ("node-1", "node-2", "node-3") if n != pod["spec"]["nodeName"])
    ip = {"node-1": "130.211.97.55", "node-2": "130.211.99.206", "node-3": "130.211.96.148"}[empty_node]
    assert run(kubia, f"curl -m 2 http://{ip}:30124") == (
        f"curl: (28) Failed to connect to {ip} port 30124 after 2001 ms: Timeout was reached\n", 28)


@pytest.mark.parametrize(("command", "text", "code"), [
    ("curl", "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n", 2),
    ("curl -v kubia", "curl: option -v: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more "
                      "information\n", 2),
    ("curl ftp://kubia", 'curl: (1) Protocol "ftp" not supported\n', 1),
    ("kubectl exec kubia-x -- curl kubia", 'Error from server (NotFound): pods "kubia-x" not found\n', 1),
    ("kubectl exec kubia-ftb9q curl kubia", "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- "
                                            "[COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n", 1),
])
def test_request_usage_errors(kubia, command, text, code):
    assert run(kubia, command) == (text, code)


# --- the rest -------------------------------------------------------------------------------------


def test_version_and_api_resources(kubia):
    assert out(kubia, "kubectl version") == (
        "Client Version: v1.31.9\nKustomize Version: v5.4.2\nServer Version: v1.31.0\n")
    assert out(kubia, "kubectl api-resources").splitlines()[:3] == [
        "NAME             SHORTNAMES   APIVERSION            NAMESPACED   KIND",
        "endpoints        ep           v1                    true         Endpoints",
        "events           ev           v1                    true         Event",
    ]


def test_help_and_unsupported_commands(kubia):
    assert out(kubia, "help") == HELP
    assert run(kubia, "") == ("", 0)
    text, code = run(kubia, "vim kubia.yaml")
    assert code == 127 and text.startswith("vim: command not found\n\nCommands this console runs")
    text, code = run(kubia, "kubectl logs kubia-ftb9q")
    assert code == 1 and text.startswith("error: kubectl logs is not available in this console.\n\n")
    assert run(kubia, "kubectl get svc 'unclosed")[1] == 2


def test_parsing_follows_pflag():
    assert words("kubectl get svc -l 'app in (a, b)'") == ["kubectl", "get", "svc", "-l", "app in (a, b)"]
    flags = [Flag("output", "o"), Flag("all-namespaces", "A", takes_value=False), Flag("stdin", "i", takes_value=False)]
    parsed = parse_flags(["svc", "-owide", "--namespace=x", "-Ai", "kubia", "--", "curl", "-s"], flags,
                         command="kubectl get")
    assert (parsed.args, parsed.rest) == (["svc", "kubia"], ["curl", "-s"])
    assert parsed.flags == {"output": "wide", "namespace": "x", "all-namespaces": True, "stdin": True}
    assert parse_flags(["-o=yaml", "-n", "web"], flags, command="k").flags == {"output": "yaml", "namespace": "web"}
    with pytest.raises(UsageError, match="invalid argument \"maybe\" for \"--all-namespaces\" flag"):
        parse_flags(["--all-namespaces=maybe"], flags, command="kubectl get")
