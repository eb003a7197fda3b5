"""The README's quick start says what the program does: its demo accounts are the program's."""

from __future__ import annotations

import re
from pathlib import Path

from landrenew.demo.accounts import DEMO_ACCOUNTS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_the_demo_accounts_the_demo_makes() -> None:
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z]+)` \| [^|]*?\b([a-z_]+)\b[^|]*\| `([^`]+)` \|$", text, re.M)
    listed = {(name, password) for name, _, password in rows}
    made = {(name, password) for name, _, _, password in DEMO_ACCOUNTS}
    assert listed == made
    roles = {name: role for name, role, _ in rows}
    assert all(roles[name] == role for name, role, _, _ in DEMO_ACCOUNTS), roles


def test_the_readme_never_points_the_tests_at_the_default_database() -> None:
    text = README.read_text(encoding="utf-8")
    assert "5432/postgres" not in text
