"""kubectl's output: server-side Tables (columns, cells, formatting, quantities), describe, and export of a sandbox as manifests."""
