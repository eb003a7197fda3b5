"""The quota pack (指标台账规则包, kind ``quotas``): the ring-fence minimum, the legacy-land offset
ratio, the reward rates, the clause behind every rule of the ledger and the project tags that
open a kind of quota to a project; resolved by place and date through the one registry
(:func:`quotas_pack`; 409 ``no_rules`` where a place has none).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from landrenew.core import packs
from landrenew.core.errors import ConfigurationError
from landrenew.core.packmodels import PackHeader, Parameter

KIND = "quotas"

REQUIRED_PARAMETERS = ("ring_fence_min_mu", "legacy_offset_ratio", "reward_per_new_farmland_mu",
                       "reward_per_revitalised_mu")
REQUIRED_CLAUSES = ("plan", "ring_fence_tagged", "provincial_uses", "same_village_first",
                    "farmland_surplus", "farmland_own_whole", "reward_after_acceptance",
                    "reward_uses", "legacy_offset", "preborrow", "allocation", "no_overdraft")
#: Tag lists: ``programme`` (ring-fenced quota), ``provincial``, ``reward`` (permitted uses).
REQUIRED_TAGS = ("programme", "provincial", "reward")


class TagList(BaseModel):
    """The tags of which a project must carry one to receive a kind of quota, with the clause."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    clause: str = Field(min_length=1)
    names: tuple[str, ...] = Field(min_length=1)


class QuotasPack(PackHeader):
    source: str = Field(min_length=1)
    parameters: dict[str, Parameter]
    clauses: dict[str, str]
    tags: dict[str, TagList]

    @model_validator(mode="after")
    def _complete(self) -> QuotasPack:
        missing = [p for p in REQUIRED_PARAMETERS if p not in self.parameters]
        if missing:
            raise ValueError(f"parameters missing: {', '.join(missing)}")
        missing = [c for c in REQUIRED_CLAUSES if not self.clauses.get(c)]
        if missing:
            raise ValueError(f"clauses missing: {', '.join(missing)}")
        missing = [t for t in REQUIRED_TAGS if t not in self.tags]
        if missing:
            raise ValueError(f"tags missing: {', '.join(missing)}")
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    def rule(self, name: str) -> str:
        """A rule's stable id: ``pack:name``."""
        return f"{self.id}:{name}"

    def number(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ConfigurationError(f"rule pack {self.id} has no number '{name}'",
                                     field=name) from None

    def clause(self, name: str) -> str:
        """The quoted clause of a rule; a number's rule cites the number's clause."""
        if name in self.clauses:
            return self.clauses[name]
        if name in self.parameters:
            return self.parameters[name].clause
        raise ConfigurationError(f"rule pack {self.id} has no clause '{name}'", field=name)


def quotas_pack(place: str, on: dt.date) -> QuotasPack:
    """The quota rules in force at ``place`` on ``on``; :class:`~landrenew.core.packs.NoRules`
    (409 ``no_rules``, naming the kind and the place) where none applies."""
    return packs.resolve_load(KIND, place, on, QuotasPack)
