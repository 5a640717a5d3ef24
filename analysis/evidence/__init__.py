"""From simulation to evidence: the claims ledger and its checks, the calibration to Table 2,
the robustness sweep, the held-out law and the report."""
