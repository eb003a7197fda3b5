"""Project rule packs (项目规则包): parameters with their basis and clause, read from YAML.

``landrenew/rules/<city>/renewal.yaml`` holds the urban-village phase gates. Values are strings
turned into :class:`~decimal.Decimal` so that a threshold like 0.8 is exact.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from landrenew.core.errors import ConfigurationError

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


class RuleParameter(BaseModel):
    """One pack parameter. ``fraction`` ("2/3") is given where no decimal is exact; ``value``
    then holds its decimal for display and :attr:`exact` is what gates compare with."""
    model_config = ConfigDict(extra="forbid")
    value: Decimal
    fraction: str | None = None
    basis: Literal["primary", "secondary", "local"]
    clause: str
    note: str | None = None

    @model_validator(mode="after")
    def _fraction_matches(self) -> RuleParameter:
        if self.fraction is not None:
            try:
                exact = Fraction(self.fraction)
            except (ValueError, ZeroDivisionError) as exc:
                raise ValueError(f"fraction '{self.fraction}' is not a ratio like 2/3") from exc
            if abs(Fraction(self.value) - exact) > Fraction(1, 1000):
                raise ValueError(f"value {self.value} does not match fraction {self.fraction}")
        return self

    @property
    def exact(self) -> Fraction:
        return Fraction(self.fraction) if self.fraction is not None else Fraction(self.value)


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


PackT = TypeVar("PackT", bound=BaseModel)


def load_pack(city: str, name: str, model: type[PackT]) -> PackT:
    """Read ``rules/<city>/<name>.yaml`` into ``model``; a bad pack is refused naming the file
    and the field."""
    path = RULES_DIR / city / f"{name}.yaml"
    if not path.exists():
        raise ConfigurationError(f"no {name} rule pack for '{city}' ({path})", field="rules")
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigurationError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}",
                                 file=str(path)) from exc


@cache
def load_renewal_rules(city: str = "guangzhou") -> ProjectRules:
    return load_pack(city, "renewal", ProjectRules)
