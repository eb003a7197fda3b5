"""Ledger records read as what each person last said (最新意思表示): a later record undoes an
earlier one (a withdrawal undoes a signature or a consent)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def latest_with(people: Iterable[str], records: Iterable[Mapping[str, Any]],
                action: str) -> set[str]:
    """People whose latest record is ``action`` (a later record of any other action undoes
    it); records about anyone else are ignored. ``records`` in ledger order, each
    ``{subject, action}``."""
    state: dict[str, bool] = {}
    for rec in records:
        state[rec["subject"]] = rec["action"] == action
    wanted = set(people)
    return {p for p, yes in state.items() if yes and p in wanted}
