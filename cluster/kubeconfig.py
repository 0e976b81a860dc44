"""A kubeconfig for one sandbox: the real kubectl and client libraries use it unmodified."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

import yaml

# The user name put in front of the token in a plain-http server URL; the API ignores it.
BASIC_AUTH_USER = "sandbox"


def kubeconfig_yaml(*, cluster_name: str, server: str, token: str) -> str:
    """One cluster, one user (the sandbox's token) and one context, namespace `default`.

    `server` is the sandbox's server root, e.g. `http://127.0.0.1:8000/k8s/<cluster id>`.

    client-go only sends a kubeconfig's credentials to https servers (clientcmd reads the user's
    auth "only if we are secure"), so for a plain-http server - a laptop, a classroom - the token
    also rides in the URL's userinfo, which Go's HTTP client sends as Basic authentication.
    """
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": {"server": _with_credentials(server, token)}}],
        "users": [{"name": cluster_name, "user": {"token": token}}],
        "contexts": [
            {
                "name": cluster_name,
                "context": {"cluster": cluster_name, "user": cluster_name, "namespace": "default"},
            }
        ],
        "current-context": cluster_name,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=False)


def _with_credentials(server: str, token: str) -> str:
    parts = urlsplit(server)
    if parts.scheme != "http":
        return server
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{BASIC_AUTH_USER}:{quote(token, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
