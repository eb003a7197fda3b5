"""Field mappings (字段映射): rename a survey file's own field names to canonical names.

```yaml
title: 2024年蓬江区调查成果            # optional: how the mapping is offered in a list
fields: {宗地号: parcel_code, 用地性质: land_use}
values: {land_use: {"061": "1001"}}   # optional recoding of values
```

A mapping comes from a file (``--mapping FILE``), from the mappings an administrator saved in
the database (:mod:`landrenew.land.mapping_service`), or is one of the built-in ones
(:data:`BUILTIN`): ``chinese`` — the canonical Chinese names (宗地代码, 税收(万元) …, the headers of
the platform's own Excel downloads) — and ``shapefile`` — the canonical names cut to the 10
characters a Shapefile (dBASE) field name holds, as GDAL, QGIS and ArcGIS cut them
(``parcel_cod`` → ``parcel_code``).

Whatever the mapping, a parcel file's column named with a canonical Chinese name is recognised
(:func:`recognise`) unless the mapping already gives that field. Source fields matching no
canonical field are kept as extra attributes (the import report names them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from landrenew.core.errors import InputError
from landrenew.land.fields import CANONICAL, COMPUTED_LABELS_ZH, PARCEL_FIELDS


class FieldMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    fields: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}

    def apply(self, frame: pd.DataFrame, *, chinese: bool = False) -> pd.DataFrame:
        """The frame with its columns renamed and values recoded; ``chinese``: a column the
        mapping leaves alone that bears a parcel field's canonical Chinese name is renamed to
        the field too (:func:`recognise`)."""
        renamed = frame.rename(columns=self.fields)
        if chinese:
            labels = recognise([c for c in renamed.columns if c not in self.fields],
                               set(map(str, renamed.columns)))
            renamed = renamed.rename(columns=labels)
        for column, recode in self.values.items():
            if column in renamed.columns:
                renamed[column] = renamed[column].map(lambda v, r=recode: _recode(v, r))
        return renamed


def _recode(value: object, recode: dict[str, str]) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    key = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    return recode.get(key, value)


# ---------------------------------------------------------------- canonical Chinese names

_SPACES = re.compile(r"[\s\u3000]+")
_SQUARE_METRES = re.compile(r"(平方米|m²|m2|M2|M²)")


def normalise_label(name: str) -> str:
    """A Chinese column name as compared with the canonical ones: no spaces, half-width
    parentheses, ``㎡`` for square metres (``建筑面积（m²）`` → ``建筑面积(㎡)``)."""
    text = _SPACES.sub("", str(name)).replace("（", "(").replace("）", ")")
    return _SQUARE_METRES.sub("㎡", text)


#: Canonical and computed fields by their Chinese names (normalised): the headers of every
#: Excel file the platform writes (the parcel list download has them over the field codes).
CHINESE_NAMES: dict[str, str] = {
    **{f.label_zh: f.name for f in PARCEL_FIELDS},
    **{label: name for name, label in COMPUTED_LABELS_ZH.items()},
}
_BY_LABEL = {normalise_label(label): name for label, name in CHINESE_NAMES.items()}


def recognise(columns: list[str], present: set[str]) -> dict[str, str]:
    """The columns named with a canonical Chinese name → their field, unless the field is
    already ``present`` (a file with both ``parcel_code`` and ``宗地代码`` keeps the first)."""
    out: dict[str, str] = {}
    taken = set(present)
    for column in columns:
        target = _BY_LABEL.get(normalise_label(column)) if isinstance(column, str) else None
        if target is not None and target not in taken:
            out[column] = target
            taken.add(target)
    return out


# ---------------------------------------------------------------- built-in mappings

#: dBASE keeps 10 bytes of a field name; GDAL (and QGIS, ArcGIS) cut longer names there.
SHAPEFILE_NAME_BYTES = 10


def shapefile_name(name: str) -> str:
    """A canonical field's name in a Shapefile written by GDAL: its first 10 characters."""
    return name.encode("utf-8")[:SHAPEFILE_NAME_BYTES].decode("utf-8", errors="ignore")


BUILTIN: dict[str, FieldMapping] = {
    "chinese": FieldMapping(title="标准中文字段名 canonical Chinese names",
                            fields=dict(CHINESE_NAMES)),
    "shapefile": FieldMapping(
        title="Shapefile 10 字符字段名 canonical names cut to 10 characters",
        fields={shapefile_name(n): n for n in CANONICAL if shapefile_name(n) != n}),
}


# ---------------------------------------------------------------- reading a mapping

def parse_mapping(text: str, source: str, allowed_targets: tuple[str, ...]) -> FieldMapping:
    """A mapping's YAML text, checked; ``source`` names it in every refusal (a file, a saved
    mapping), and an unknown target name is refused with the key named."""
    try:
        raw = yaml.safe_load(text) or {}
        mapping = FieldMapping.model_validate(raw)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=source) from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(err["msg"], file=source, field=".".join(map(str, err["loc"]))) from exc
    check_targets(mapping, source, allowed_targets)
    return mapping


def check_targets(mapping: FieldMapping, source: str, allowed_targets: tuple[str, ...]) -> None:
    for src, target in mapping.fields.items():
        if target not in allowed_targets:
            raise InputError(
                f"maps {src!r} to unknown field {target!r}; known: {', '.join(allowed_targets)}",
                file=source, field=f"fields.{src}")
    targets = list(mapping.fields.values())
    dup = {t for t in targets if targets.count(t) > 1}
    if dup:
        raise InputError(f"several source fields map to {sorted(dup)}", file=source,
                         field="fields")


def load_mapping(path: str | Path | FieldMapping | None,
                 allowed_targets: tuple[str, ...]) -> FieldMapping:
    """A mapping file read and checked (a :class:`FieldMapping` is taken as it is; none is the
    empty mapping, which still recognises the canonical Chinese names)."""
    if path is None:
        return FieldMapping()
    if isinstance(path, FieldMapping):
        return path
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("no such mapping file", file=str(p)) from exc
    return parse_mapping(text, str(p), allowed_targets)
