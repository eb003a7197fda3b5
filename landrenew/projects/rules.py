"""Project rule packs (项目规则包): parameters with their basis and clause, read from YAML.

``landrenew/rules/<city>/renewal.yaml`` holds the urban-village phase gates. Values are strings
turned into :class:`~decimal.Decimal` so that a threshold like 0.8 is exact.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from landrenew.core.errors import ConfigurationError

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


class RuleParameter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Decimal
    basis: Literal["primary", "secondary", "local"]
    clause: str
    note: str | None = None


class ProjectRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    version: str
    title: dict[str, str]
    parameters: dict[str, RuleParameter]

    def param(self, name: str) -> RuleParameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ConfigurationError(f"rule pack {self.id} has no parameter '{name}'",
                                     field=name) from None

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"


@cache
def load_renewal_rules(city: str = "guangzhou") -> ProjectRules:
    path = RULES_DIR / city / "renewal.yaml"
    if not path.exists():
        raise ConfigurationError(f"no renewal rule pack for '{city}' ({path})", field="rules")
    try:
        return ProjectRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigurationError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}",
                                 file=str(path)) from exc
