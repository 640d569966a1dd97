"""The gated phases: the playbook, each market's timeline, the metric registry, gate status and decisions."""
