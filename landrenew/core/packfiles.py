"""Rule-pack files (规则包文件): reading a pack's YAML and saying exactly where it is wrong.

A pack file is read with its node tree, so that a refusal (:class:`PackError`) names the file, the
line and the field; duplicate keys are refused. Packs are found in the package (``landrenew/rules``,
:func:`builtin_dir`) and in the directories of ``LANDRENEW_RULES_PATH`` (:func:`bureau_dirs`).
The registry that resolves packs by (kind, place, date) is :mod:`landrenew.core.packs`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from landrenew.core.errors import ConfigurationError


class PackError(ConfigurationError):
    """A rule pack that cannot be used; ``str()`` is ``file:line: field 'x': message``."""

    code = "bad_rule_pack"

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.line = line
        super().__init__(message, file=file, field=field)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else (self.file or "")
        fld = f"field '{self.field}': " if self.field else ""
        return f"{where}: {fld}{self.message}" if where else f"{fld}{self.message}"


def version_key(version: str) -> tuple[tuple[int, Any], ...]:
    """Versions compare part by part, numbers as numbers (``2024.10`` > ``2024.9``)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", version) if p)


def read_yaml(path: Path) -> tuple[Any, yaml.Node]:
    """A pack file's data and its node tree (for line numbers); refuses duplicate keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError(f"cannot read: {exc.strerror}", file=str(path)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PackError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=str(path),
                        line=mark.line + 1 if mark else None) from exc
    if not isinstance(data, dict) or node is None:
        raise PackError("a rule pack must be a YAML mapping", file=str(path), line=1)
    _check_duplicates(node, path)
    return data, node


def _check_duplicates(node: yaml.Node, path: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            if k.value in seen:
                raise PackError(f"duplicate key '{k.value}'", file=str(path),
                                line=k.start_mark.line + 1)
            seen.add(k.value)
            _check_duplicates(v, path)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            _check_duplicates(v, path)


def line_of(node: yaml.Node, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest node reached by a pydantic error location."""
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == part:
                    line = k.start_mark.line + 1
                    node = v
                    break
        elif (isinstance(node, yaml.SequenceNode) and isinstance(part, int)
              and part < len(node.value)):
            node = node.value[part]
            line = node.start_mark.line + 1
    return line


def validation_error(exc: ValidationError, path: Path, node: yaml.Node) -> PackError:
    """The most specific problem of a refused pack, with its file, line and field."""
    rank = {"extra_forbidden": 2, "missing": 1}
    err = max(exc.errors(), key=lambda e: (len(e["loc"]), rank.get(e["type"], 0)))
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        message = "unknown key (not part of the rule-pack schema)"
    elif err["type"] == "missing":
        message = "required key is missing"
    else:
        message = str(err["msg"]).removeprefix("Value error, ")
    where = ".".join(str(p) for p in loc if not (isinstance(p, str) and p[:1].isupper()))
    return PackError(message, file=str(path), line=line_of(node, loc), field=where or None)


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on ``base``: mappings merge key by key, anything else is replaced."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def builtin_dir() -> Path:
    return Path(str(resources.files("landrenew") / "rules"))


def bureau_dirs(rules_path: str | None) -> list[Path]:
    return [Path(p).expanduser() for p in (rules_path or "").split(os.pathsep) if p.strip()]
