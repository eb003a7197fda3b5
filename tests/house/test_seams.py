"""The house rules a review can check mechanically: no module reaches for a private name of
another, and no source file outgrows a reading (about 400 lines, migrations aside)."""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "landrenew"
MAX_LINES = 400


def _sources(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.py") if "migrations" not in p.parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{path.name}:{node.lineno} imports {alias.name}")
                elif node.module.startswith("landrenew") and isinstance(
                        getattr(importlib.import_module(node.module), alias.name, None),
                        types.ModuleType):
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name.split(".")[0] for a in node.names)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and _private(node.attr)
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return sorted(found, key=lambda use: int(use.split(":")[1].split()[0]))


def test_no_module_uses_a_private_name_of_another() -> None:
    found = [use for path in _sources(PACKAGE, ROOT / "tests") for use in _private_uses(path)]
    assert found == []


def test_the_checker_sees_a_private_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from landrenew.land.importing import _hidden\n"
                      "from landrenew.serving import tiles\n"
                      "tiles._secret()\nimport os\nos._exit\n", encoding="utf-8")
    assert _private_uses(sample) == ["sample.py:1 imports _hidden", "sample.py:3 uses tiles._secret",
                                     "sample.py:5 uses os._exit"]


def test_no_source_file_outgrows_a_reading() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _sources(PACKAGE)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
