"""The messages the code says when it refuses something, found where they are written.

Every ``raise <Error>(…)``, every import ``Problem(…)`` and every validation ``add(…)`` whose
message is a literal (a plain string or an f-string) gives a *template*: the literal text with
each ``{expression}`` named by the expression's last identifier (``{value}``, ``{field}`` …).
``tests/core/test_said.py`` holds the error catalogue (``landrenew/core/translations``) to
exactly these templates; ``python -m tests.core.error_sites`` lists the ones not yet in it.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "landrenew"
#: Callables besides the error classes whose literal message argument a user reads: an import
#: problem and a validation's ``add(mask, column, code, message)``.
SAYERS = {"Problem", "add"}
WORD = re.compile(r"[A-Za-z]{2,}")


def _name(expr: ast.expr) -> str:
    """A placeholder's name: the expression's last identifier (``exc.field`` → ``field``)."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Subscript):
        return _name(expr.value)
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "join":
            return _name(expr.args[0]) if expr.args else "items"
        return _name(expr.args[0]) if expr.args else _name(expr.func)
    return "value"


def template(node: ast.expr) -> str | None:
    """The template of a literal message, or None when it is not a literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out: list[str] = []
        seen: dict[str, int] = {}
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value).replace("{", "{{").replace("}", "}}"))
            else:
                assert isinstance(part, ast.FormattedValue)
                name = re.sub(r"\W", "_", _name(part.value)).strip("_") or "value"
                seen[name] = seen.get(name, 0) + 1
                out.append("{" + (name if seen[name] == 1 else f"{name}{seen[name]}") + "}")
        return "".join(out)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = template(node.left), template(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _said(text: str) -> bool:
    """A sentence (words and a space), not a code or a field name."""
    bare = re.sub(r"\{\w+\}", "", text)
    return " " in bare.strip() and bool(WORD.search(bare))


def error_classes(trees: list[ast.Module]) -> set[str]:
    """``LandrenewError`` and every class the code derives from it (by name, transitively)."""
    bases: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute)
                    else "" for b in node.bases)
    found = {"LandrenewError"}
    while True:
        more = {name for name, of in bases.items() if of & found} - found
        if not more:
            return found
        found |= more


def sites(root: Path = ROOT) -> Iterator[tuple[str, Path, int]]:
    """Every literal message of the code: (template, file, line)."""
    paths = sorted(root.rglob("*.py"))
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in paths]
    sayers = SAYERS | error_classes(trees)
    for path, tree in zip(paths, trees, strict=True):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _callee(node) not in sayers:
                continue
            args = list(node.args) + [k.value for k in node.keywords if k.arg == "message"]
            for arg in args:
                text = template(arg)
                if text is not None and _said(text):
                    yield text, path, node.lineno


def templates(root: Path = ROOT) -> set[str]:
    return {text for text, _, _ in sites(root)}


if __name__ == "__main__":
    from landrenew.core.said import catalogue

    known = set(catalogue("zh_CN"))
    missing = sorted(templates() - known)
    for text in missing:
        sys.stdout.write(text + "\n")
