"""The day of every decision, report and file name is the city's (core.clock, China Standard Time).

A server kept in UTC would otherwise call 00:00–08:00 in the city yesterday: a task due today
would not yet be overdue, a survey dated today would be "in the future"."""

from __future__ import annotations

import ast
from pathlib import Path

import landrenew

PACKAGE = Path(landrenew.__file__).parent


def _machine_day_calls(path: Path) -> list[int]:
    """Lines of ``path`` calling ``date.today()``, or ``datetime.now()``/``.today()`` with no zone."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, owner = node.func.attr, node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        machine_day = owner_name == "date" and name == "today"
        zoneless = owner_name == "datetime" and name in ("now", "today") and not (
            node.args or node.keywords)
        if machine_day or zoneless:
            lines.append(node.lineno)
    return lines


def test_no_module_takes_the_machine_clock_zone_for_the_day():
    found = {str(p.relative_to(PACKAGE)): lines for p in sorted(PACKAGE.rglob("*.py"))
             if (lines := _machine_day_calls(p))}
    assert found == {}, f"use core.clock.city_today(): {found}"


def test_the_check_finds_a_machine_day_call(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime as dt\nx = dt.date.today()\ny = dt.datetime.now()\n"
                      "z = dt.datetime.now(dt.UTC)\n", encoding="utf-8")
    assert _machine_day_calls(sample) == [2, 3]
