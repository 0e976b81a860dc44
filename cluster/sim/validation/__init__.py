"""kube-apiserver validation with its exact messages: metadata and formats, Services (create and update), workloads."""
