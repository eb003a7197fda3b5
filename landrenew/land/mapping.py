"""Field mapping files (字段映射): rename a survey file's own field names to canonical names.

```yaml
fields: {宗地代码: parcel_code, 用地性质: land_use}
values: {land_use: {"061": "1001"}}   # optional recoding of values
```
Source fields that are not mapped are kept as extra attributes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from landrenew.core.errors import InputError


class FieldMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        renamed = frame.rename(columns=self.fields)
        for column, recode in self.values.items():
            if column in renamed.columns:
                renamed[column] = renamed[column].map(lambda v, r=recode: _recode(v, r))
        return renamed


def _recode(value: object, recode: dict[str, str]) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    key = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    return recode.get(key, value)


def load_mapping(path: str | Path | None, allowed_targets: tuple[str, ...]) -> FieldMapping:
    """Load and check a mapping file; an unknown target name is refused with the key named."""
    if path is None:
        return FieldMapping()
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        mapping = FieldMapping.model_validate(raw)
    except FileNotFoundError as exc:
        raise InputError("no such mapping file", file=str(p)) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=str(p)) from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(err["msg"], file=str(p), field=".".join(map(str, err["loc"]))) from exc
    for source, target in mapping.fields.items():
        if target not in allowed_targets:
            raise InputError(
                f"maps {source!r} to unknown field {target!r}; known: {', '.join(allowed_targets)}",
                file=str(p),
                field=f"fields.{source}",
            )
    targets = list(mapping.fields.values())
    dup = {t for t in targets if targets.count(t) > 1}
    if dup:
        raise InputError(f"several source fields map to {sorted(dup)}", file=str(p), field="fields")
    return mapping
