"""Compliance checks (合规审查) of requests against the land rules of their place."""
