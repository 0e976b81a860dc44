"""A Kubernetes-compatible HTTP API per sandbox, for the real kubectl and the official clients.

`/k8s/<cluster_id>/` is the server root of one sandbox; every write goes through the cluster
layer's one write path, every read through its selectors.
"""
