"""A Kubernetes-compatible HTTP API per sandbox, for the real kubectl and the official clients.

`/k8s/<cluster_id>/` is the server root of one sandbox. This package speaks HTTP only: every verb
(and its dry run) is the cluster layer's (`cluster/services/verbs.py`, `objects.py`,
`scaling.py`), every read goes through its selectors.
"""
