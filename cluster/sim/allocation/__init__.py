"""What the apiserver hands out and counts: ClusterIP and nodePort allocation arithmetic, the sandbox's ResourceQuota."""
