"""The pure core of the simulated cluster: plain data in, plain data out, no Django.

Every Kubernetes object here is a dict shaped exactly as the Kubernetes JSON API shows it
(apiVersion, kind, metadata, spec, status), so the same data serves the controllers,
the data plane, the printers, YAML export and the Kubernetes-compatible API.
"""
