"""Rule-pack data (package data only)."""
