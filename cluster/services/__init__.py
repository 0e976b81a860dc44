"""Writes to the simulated cluster. Every change goes through cluster.services.writing."""
