"""Rollout: take a company into new countries through gated phases."""
