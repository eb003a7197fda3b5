"""Land-use codes (用地用海分类) as data, with their Chinese names and construction-land classes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class LandUseTable:
    source: str
    names: dict[str, str]
    construction_classes: frozenset[str]

    def is_known(self, code: str) -> bool:
        return code in self.names

    def name(self, code: str | None) -> str:
        return self.names.get(code or "", "")

    def top_class(self, code: str) -> str:
        """Level-1 class (一级类) of a code: its first two digits."""
        return code[:2]

    def is_construction(self, code: str | None) -> bool:
        return bool(code) and str(code)[:2] in self.construction_classes


@lru_cache
def land_use_table() -> LandUseTable:
    text = resources.files("landrenew.land").joinpath("data/land_use_codes.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return LandUseTable(
        source=data["source"],
        names={str(k): str(v) for k, v in data["codes"].items()},
        construction_classes=frozenset(str(c) for c in data["construction_classes"]),
    )
