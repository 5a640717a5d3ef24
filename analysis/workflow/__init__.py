"""Workflow plumbing: rule inputs derived from imports, checks before a run, the notebook runner."""
