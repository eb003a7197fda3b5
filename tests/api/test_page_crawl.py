"""Every page, as the roles that read it, says things in words: no Python repr, no ``None``
or ``nan`` standing for a value, no English sentence left in a Chinese page.

The pages are found from the app's own routes, so a page added later is crawled too; a page
whose path needs a value this world cannot give fails the test until it is given one."""

from __future__ import annotations

import re
from typing import Any

import pytest

from landrenew.server import route_table

from . import test_permissions  # first: it gathers the matrix modules
from .conftest import World
from .matrix_compliance import matrix_checks
from .matrix_supervision import setup as programme_setup

matrix_projects = test_permissions.matrix_projects

#: What a page must never show.
LEAKS = re.compile(r" object at 0x|built-in method|bound method|&lt;function |Traceback|"
                   r">\s*(None|nan|NaN|null|undefined)\s*<|\{\{|\{%|Decimal\(")
#: Pages that are not HTML to read (downloads, a redirecting switch, a staging token's answer).
NOT_READ = {"/lang/{locale}", "/checks/batch/{token}", "/programme/report/{report_id}/{fmt}"}
#: An English sentence (three words and more) in a page's visible text.
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+ [a-z]+ [a-z]{2,}\b")


def _texts(html: str) -> list[str]:
    """The page's visible text nodes, each apart (cells of a table are not one sentence)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "<>", html, flags=re.S)
    return [re.sub(r"\s+", " ", t).strip() for t in re.split(r"<[^>]*>", html) if t.strip()]


def _paths(world: World) -> list[str]:
    projects = matrix_projects(world)
    checks = matrix_checks(world)
    values: dict[str, Any] = {"project_id": projects["west"]["project"],
                              "phase_id": projects["west"]["phase"],
                              "check_id": checks["west"], "code": "JM-0001",
                              "kind": "renovation_permit", "name": "district_staff",
                              "task_id": programme_setup(world)["tasks"]["九"]}
    out = []
    for method, path in route_table(world.client.app):  # type: ignore[arg-type]
        if method != "GET" or path.startswith(("/api", "/ogc", "/tiles", "/basemap", "/static")) or \
                path in NOT_READ or path.endswith((".xlsx", ".docx", ".pdf", ".csv")):
            continue
        names = re.findall(r"\{(\w+)\}", path)
        missing = [n for n in names if n not in values]
        assert not missing, f"give the crawl a value for {missing} of {path}"
        out.append(path.format(**values))
    return out


@pytest.mark.parametrize("role", ["admin", "district_staff", "consolidation_entity"])
def test_every_page_says_things_in_words(world: World, role: str) -> None:
    page = world.page(role)
    seen = 0
    for path in _paths(world):
        r = page.get(path)
        if r.status_code in (403, 404) and role != "admin":
            continue  # not this role's page, or outside its scope: crawled for the admin
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        seen += 1
        leak = LEAKS.search(r.text)
        assert leak is None, (path, r.text[max(0, leak.start() - 200):leak.end() + 100])
        english = [m.group(0) for t in _texts(r.text) for m in ENGLISH.finditer(t)]
        assert not english, (path, english[:5])
    assert seen >= 10
