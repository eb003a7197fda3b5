"""What the map and dashboard show for each code (图例): labels from the rule pack, fixed colours.

Colours are fixed per code so that the map, the legend, the charts and a printed screenshot agree;
labels come from the packs the latest evaluation run used (``{zh, en}``; a run over several cities
used several), or, before any run, from every identification pack the deployment knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from landrenew.evaluation.loader import builtin_packs, load_pack
from landrenew.evaluation.packs import Label
from landrenew.web.i18n import label

#: What names the packs: a run record (its ``packs`` by district, else its ``pack_id``), a pack
#: id, or None (no run yet).
Source = Mapping[str, Any] | str | None

CATEGORY_COLOURS: dict[str, str] = {
    "plan_conflict": "#d62728",
    "obsolete_industry": "#8c564b",
    "scattered_layout": "#ff7f0e",
    "extensive_use": "#e6b800",
    "unsuitable_use": "#9467bd",
    "dilapidated": "#e377c2",
    "low_output": "#1f77b4",
}
OTHER_CATEGORY = "#6b6b6b"
NOT_LOW = "#9aa5b1"        # evaluated, not low-efficiency
NOT_EVALUATED = "#dfe6ea"  # no evaluation run yet
ZONE_COLOURS: dict[str, str] = {
    "ecological_redline": "#2ca02c",
    "permanent_basic_farmland": "#bcbd22",
    "urban_development_boundary": "#17becf",
    "industrial_control_line": "#7f7f7f",
    "geological_hazard": "#b22222",
    "detailed_plan_unit": "#6baed6",
    "guideline_parcel": "#9e9ac8",
    "reserved_land": "#c7e9c0",
}
FLAG_COLOURS = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00"]


@dataclass(frozen=True)
class Entry:
    code: str
    label: str
    colour: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label, "colour": self.colour}


def pack_ids(source: Source) -> tuple[str, ...]:
    """The identification packs whose labels apply."""
    if isinstance(source, Mapping):
        used = sorted({p["pack"] for p in (source.get("packs") or {}).values()})
        return tuple(used) or pack_ids(source.get("pack_id"))
    return (source,) if source else tuple(builtin_packs())


def _catalogue(source: Source, part: str) -> dict[str, Label]:
    out: dict[str, Label] = {}
    for pid in pack_ids(source):
        try:
            out.update({k: v for k, v in getattr(load_pack(pid), part).items() if k not in out})
        except Exception:  # a run whose pack is no longer installed: the others still name
            continue
    return out


def categories(source: Source, locale: str) -> list[Entry]:
    return [Entry(code, label(lbl.model_dump(), locale, code),
                  CATEGORY_COLOURS.get(code, OTHER_CATEGORY))
            for code, lbl in _catalogue(source, "categories").items()]


def flags(source: Source, locale: str) -> list[Entry]:
    return [Entry(code, label(lbl.model_dump(), locale, code), FLAG_COLOURS[i % len(FLAG_COLOURS)])
            for i, (code, lbl) in enumerate(_catalogue(source, "flags").items())]


def zone_kinds(source: Source, locale: str) -> list[Entry]:
    return [Entry(code, label(lbl.model_dump(), locale, code), ZONE_COLOURS.get(code, "#555555"))
            for code, lbl in _catalogue(source, "zone_kinds").items()]


def names(pack_id: Source, locale: str) -> dict[str, str]:
    """code → label for every category, flag and zone kind of the pack."""
    out = {e.code: e.label for e in categories(pack_id, locale)}
    out.update({e.code: e.label for e in flags(pack_id, locale)})
    out.update({e.code: e.label for e in zone_kinds(pack_id, locale)})
    return out


def map_config(pack_id: Source, locale: str) -> dict[str, Any]:
    """What map.js needs to style the layers and draw the legend."""
    return {"categories": [e.as_dict() for e in categories(pack_id, locale)],
            "zones": [e.as_dict() for e in zone_kinds(pack_id, locale)],
            "other": OTHER_CATEGORY, "not_low": NOT_LOW, "not_evaluated": NOT_EVALUATED}
