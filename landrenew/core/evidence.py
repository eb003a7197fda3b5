"""Evidence files (证据材料) named in ledgers by their SHA-256: the one check of that digest."""

from __future__ import annotations

import re

from landrenew.core.errors import InputError

#: A SHA-256 digest as 64 hexadecimal digits (either case).
SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def is_sha256(value: str) -> bool:
    # fullmatch: with match and ``$``, a digest followed by a newline passed (``$`` also
    # matches before a final newline), and PostgreSQL then refused the 65 characters
    return SHA256_HEX.fullmatch(value) is not None


def check_evidence(evidence_sha256: str | None, field: str = "evidence_sha256") -> None:
    """Refuse an evidence digest that is not 64 hexadecimal digits (None: no file given)."""
    if evidence_sha256 is not None and not is_sha256(evidence_sha256):
        raise InputError(f"{field} must be 64 hex digits", field=field)
