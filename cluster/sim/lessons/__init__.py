"""Lessons and broken-cluster scenarios: their file format, the checks that read a sandbox, and
progress. Pure core: plain data in, plain data out, no Django."""
