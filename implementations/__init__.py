"""Real systems for distcheck to check, and the harness that drives them under faults (issue 10)."""
