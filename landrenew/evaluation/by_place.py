"""Evaluation by place (按属地认定): each parcel under the identification standard of its own
district's city, resolved by (kind, place, date) — a run over a province uses each city's pack
and records which.

:func:`packs_for` resolves the pack of each district code; :func:`evaluate_by_place` evaluates
each group of parcels with its pack (zones indexed once for all groups, one projected CRS) and
returns the result in the parcels' order, what decided each district and what was left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from landrenew.core import packs as registry
from landrenew.core.errors import InputError
from landrenew.core.packs import NoRules
from landrenew.evaluation.engine import choose_crs, evaluate_frame, unknown_kinds
from landrenew.evaluation.fields import prepare_parcels
from landrenew.evaluation.loader import KIND, load_pack
from landrenew.evaluation.packs import RulePack

Evaluate = Callable[..., gpd.GeoDataFrame]


@dataclass
class PlacedRun:
    """A run by place: the result (evaluated parcels only, in input order), the pack of each
    district, the parcels left out (no district or no pack) and the zone kinds each pack left
    out."""

    result: gpd.GeoDataFrame
    packs: dict[str, dict[str, str]]
    left_out: dict[str, dict[str, Any]] = field(default_factory=dict)
    zones_left_out: dict[str, list[str]] = field(default_factory=dict)
    pack_objects: dict[str, RulePack] = field(default_factory=dict)

    @property
    def single_pack(self) -> RulePack | None:
        return next(iter(self.pack_objects.values())) if len(self.pack_objects) == 1 else None

    def summary(self) -> dict[str, Any]:
        return {"packs": self.packs, "left_out": self.left_out,
                "zones_left_out": self.zones_left_out}


def packs_for(districts: Iterable[str], on: dt.date) -> tuple[dict[str, RulePack],
                                                               dict[str, str]]:
    """The identification pack of each district code on ``on``; codes without one map to the
    reason (the :class:`~landrenew.core.packs.NoRules` message, or a bad code)."""
    found: dict[str, RulePack] = {}
    missing: dict[str, str] = {}
    for code in sorted(set(districts)):
        try:
            found[code] = load_pack(registry.resolve(KIND, code, on).id)
        except (NoRules, InputError) as exc:
            missing[code] = exc.message
    return found, missing


def evaluate_by_place(parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None,
                      as_of: dt.date, *, projected_crs: Any = None,
                      forced: RulePack | None = None, evaluate: Evaluate | None = None,
                      **options: Any) -> PlacedRun:
    """Evaluate each parcel with the pack of its district (or ``forced`` for every parcel, a
    trial). Refuses when no parcel has a pack, naming the places; otherwise parcels without one
    are left out and listed. ``evaluate`` is the engine (:func:`evaluate_frame` by default)."""
    run = evaluate or evaluate_frame
    df = prepare_parcels(parcels)
    codes = df["district_code"].astype("string").fillna("") if "district_code" in df.columns \
        else pd.Series("", index=df.index, dtype="string")
    if forced is not None:
        by_code = {c: forced for c in codes.unique()}
        missing: dict[str, str] = {}
    else:
        by_code, missing = packs_for([c for c in codes.unique() if c], as_of)
        if (codes == "").any():
            missing[""] = "地块未填区县代码 | the parcel has no district_code"
    if not by_code:
        first = next(iter(missing.values()), "no parcels")
        raise InputError(f"no parcel has identification rules on {as_of}: {first}",
                         field="district_code")
    crs = choose_crs(df, projected_crs)
    pack_of = codes.map(lambda c: by_code[c].id if c in by_code else "")
    frames = []
    pack_objects: dict[str, RulePack] = {}
    zones_left: dict[str, list[str]] = {}
    for pack_id in sorted(set(pack_of) - {""}):
        pack = next(p for p in by_code.values() if p.id == pack_id)
        pack_objects[pack_id] = pack
        part = parcels.loc[(pack_of == pack_id).to_numpy()]
        left = unknown_kinds(zones, pack)
        if left:
            zones_left[pack_id] = left
        kept = zones if zones is None or not left else zones[~zones["kind"].isin(left)]
        frames.append(run(part, kept if kept is None or len(kept) else None, pack, as_of,
                          projected_crs=crs, **options))
    result = pd.concat(frames) if len(frames) > 1 else frames[0]
    order = df.index[(pack_of != "").to_numpy()]
    result = gpd.GeoDataFrame(result.loc[order], geometry=frames[0].geometry.name,
                              crs=frames[0].crs)
    used = {c: {"pack": p.id, "version": p.version, "jurisdiction": p.jurisdiction.code}
            for c, p in sorted(by_code.items()) if c}
    left_out = {c or "-": {"parcels": int((codes == c).sum()), "reason": reason}
                for c, reason in missing.items()}
    result.attrs.update(frames[0].attrs)
    return PlacedRun(result, used, left_out, zones_left, pack_objects)


def pack_labels(packs: Mapping[str, Mapping[str, str]]) -> str:
    """``jiangmen 2023.2 (440703, 440704), guangzhou 2023.2 (440111)`` for a run's note."""
    grouped: dict[str, list[str]] = {}
    for code, p in packs.items():
        grouped.setdefault(f"{p['pack']} {p['version']}", []).append(code)
    return ", ".join(f"{k} ({', '.join(v)})" for k, v in grouped.items())
