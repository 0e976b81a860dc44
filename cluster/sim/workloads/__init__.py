"""Deployments, ReplicaSets and the scheduler: template hashes, which pods go, where a new pod runs and which IP it gets."""
