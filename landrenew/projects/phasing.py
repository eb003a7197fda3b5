"""Phase checks of urban-village renewal (分片分期实施, DIGEST §3) as pure functions.

Two rules of "签一片、拆一片、供一片、批一片、建一片", each with its parameter and clause in the
place's ``renewal_phases`` pack:

* :func:`guideline_split_check` — the minimum phase is not smaller than a guideline parcel of the
  detailed plan (最小分片不小于详细规划导则地块): a phase boundary must not cut through a guideline
  parcel. A parcel is *split* when both its part inside the phase and its part outside exceed the
  tolerance ``guideline_parcel_split_tolerance_m2`` (smaller pieces are mapping noise). A phase
  lying inside one larger parcel therefore splits it. Geometries must already be in a projected
  CRS in metres (the city's Gauss-Krüger zone); areas are rounded to 0.01 m² and the rounded
  values are what is compared with the tolerance, so the report and the decision agree.
* :func:`public_welfare_first_check` — each phase first builds resettlement housing, public
  service facilities, municipal infrastructure (and the living-environment works combined with
  them): **no other work of the phase may start before every public-welfare work of the phase has
  started**, plus ``public_welfare_lead_days`` (0: the same day is allowed, one day earlier is
  not). A plan with other works but no public-welfare work is refused; an empty plan is refused
  as there is nothing to check (as the demolition gate stays closed with nobody listed); a plan
  of public-welfare works only passes. Finish dates are checked for sense (finish ≥ start) but
  do not enter the rule.

JSON: ``as_dict()`` gives areas as strings (Decimal, 2 dp) and dates as ISO strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from landrenew.core.errors import ConfigurationError, InputError
from landrenew.core.packmodels import ParameterPack

AREA_PLACES = Decimal("0.01")
SPLIT_PARAM = "guideline_parcel_split_tolerance_m2"
WELFARE_PARAM = "public_welfare_lead_days"

#: Work kinds of a phase's construction plan: (Chinese, English, public welfare first?).
WORK_KINDS: dict[str, tuple[str, str, bool]] = {
    "resettlement_housing": ("复建安置房", "resettlement housing", True),
    "public_service": ("公共服务配套设施", "public service facilities", True),
    "municipal_infrastructure": ("市政基础设施", "municipal infrastructure", True),
    "living_environment": ("人居环境改善项目（老旧小区微改造等）",
                           "living-environment works (old-estate micro-renewal …)", True),
    "other": ("其他建设（融资地块、商品住宅等）", "other works (financing parcels, housing for sale …)",
              False),
}
PUBLIC_WELFARE_KINDS = tuple(k for k, (_, _, first) in WORK_KINDS.items() if first)


# ------------------------------------------------------------------------------------------------
# guideline parcels


@dataclass(frozen=True)
class ParcelCut:
    """A guideline parcel meeting the phase: its area inside and outside the phase (m², 2 dp)."""
    code: str
    area_inside: Decimal
    area_outside: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "area_inside_m2": str(self.area_inside),
                "area_outside_m2": str(self.area_outside)}


@dataclass(frozen=True)
class GuidelineSplitCheck:
    """``split``: parcels cut by the boundary (refusal); ``contained``: parcels the phase wholly
    contains (outside part within the tolerance); ``trimmed``: parcels of which only a piece
    within the tolerance lies inside (boundary noise, not a split). Parcels merely touching the
    phase (0.00 m² inside) are not listed."""
    allowed: bool
    split: tuple[ParcelCut, ...]
    contained: tuple[ParcelCut, ...]
    trimmed: tuple[ParcelCut, ...]
    phase_area: Decimal
    tolerance: Decimal
    rule: str
    clause: str

    @property
    def contained_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.contained)

    @property
    def split_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.split)

    def as_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "split": [c.as_dict() for c in self.split],
                "contained": [c.as_dict() for c in self.contained],
                "trimmed": [c.as_dict() for c in self.trimmed],
                "phase_area_m2": str(self.phase_area), "tolerance_m2": str(self.tolerance),
                "rule": self.rule, "clause": self.clause, "explanation": self.explain()}

    def explain(self) -> str:
        if self.allowed:
            return (f"分片未切割导则地块（完整包含 {len(self.contained)} 个） | the phase splits no "
                    f"guideline parcel ({len(self.contained)} wholly contained; tolerance "
                    f"{self.tolerance} m²) [{self.rule}]")
        cuts = ", ".join(f"{c.code} ({c.area_inside} m² in / {c.area_outside} m² out)"
                         for c in self.split)
        return (f"分片边界切割导则地块 {'、'.join(self.split_codes)} | the phase boundary splits "
                f"guideline parcel(s) {cuts}; both parts exceed the tolerance of {self.tolerance} m² "
                f"[{self.rule}]")


def guideline_split_check(phase_geometry: BaseGeometry, guideline_parcels: Any,
                          rules: ParameterPack, *, code_field: str = "zone_code"
                          ) -> GuidelineSplitCheck:
    """Check that ``phase_geometry`` (a polygon or multipolygon in a metric projected CRS) cuts
    no guideline parcel. ``guideline_parcels`` is a mapping ``{code: geometry}``, an iterable of
    ``(code, geometry)`` pairs, or a GeoDataFrame with the code in ``code_field``."""
    phase = _polygonal(phase_geometry, "phase_geometry")
    codes, geoms = _parcels(guideline_parcels, code_field)
    param = rules.param(SPLIT_PARAM)
    tolerance = param.value
    if not tolerance.is_finite() or tolerance < 0:
        raise ConfigurationError(f"rule pack {rules.id}: {SPLIT_PARAM} must be ≥ 0, not "
                                 f"{tolerance}", field=SPLIT_PARAM)
    split: list[ParcelCut] = []
    contained: list[ParcelCut] = []
    trimmed: list[ParcelCut] = []
    if len(geoms):
        shapely.prepare(phase)
        hits = np.sort(shapely.STRtree(geoms).query(phase, predicate="intersects"))
        candidates = geoms[hits]
        inside = shapely.area(shapely.intersection(candidates, phase))
        outside = shapely.area(shapely.difference(candidates, phase))
        for i, a_in, a_out in zip(hits.tolist(), inside.tolist(), outside.tolist(), strict=True):
            cut = ParcelCut(codes[i], _m2(a_in), _m2(a_out))
            if cut.area_inside > tolerance and cut.area_outside > tolerance:
                split.append(cut)
            elif cut.area_outside <= tolerance and cut.area_inside > cut.area_outside:
                contained.append(cut)
            elif cut.area_inside > 0:
                trimmed.append(cut)
    return GuidelineSplitCheck(not split, tuple(split), tuple(contained), tuple(trimmed),
                               _m2(float(shapely.area(phase))), tolerance,
                               f"{rules.id}:{SPLIT_PARAM}", param.clause)


def _polygonal(geom: Any, field: str) -> BaseGeometry:
    if not isinstance(geom, BaseGeometry):
        raise InputError(f"expected a shapely geometry, got {type(geom).__name__}", field=field)
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise InputError(f"expected a non-empty polygon or multipolygon, got {geom.geom_type}"
                         f"{' (empty)' if geom.is_empty else ''}", field=field)
    if not shapely.is_valid(geom):
        raise InputError(f"invalid geometry: {shapely.is_valid_reason(geom)}", field=field)
    return geom


def _parcels(parcels: Any, code_field: str) -> tuple[list[str], np.ndarray]:
    if hasattr(parcels, "geometry") and hasattr(parcels, "columns"):  # a GeoDataFrame
        if code_field not in parcels.columns:
            raise InputError(f"the guideline parcels have no '{code_field}' column",
                             field=f"guideline_parcels.{code_field}")
        pairs = list(zip(parcels[code_field].tolist(), parcels.geometry.tolist(), strict=True))
    elif isinstance(parcels, Mapping):
        pairs = list(parcels.items())
    elif isinstance(parcels, Iterable) and not isinstance(parcels, (str, bytes)):
        pairs = []
        for i, pair in enumerate(parcels):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise InputError("expected (code, geometry) pairs", field=f"guideline_parcels[{i}]")
            pairs.append((pair[0], pair[1]))
    else:
        raise InputError("expected {code: geometry}, (code, geometry) pairs or a GeoDataFrame",
                         field="guideline_parcels")
    codes: list[str] = []
    seen: set[str] = set()
    for code, geom in pairs:
        if not isinstance(code, str) or not code.strip():
            raise InputError(f"a guideline parcel needs a code (text), got {code!r}",
                             field="guideline_parcels.code")
        if code in seen:
            raise InputError(f"guideline parcel '{code}' is listed twice",
                             field=f"guideline_parcels[{code}]")
        seen.add(code)
        _polygonal(geom, f"guideline_parcels[{code}].geometry")
        codes.append(code)
    geoms = np.array([g for _, g in pairs], dtype=object)
    return codes, geoms


def _m2(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(AREA_PLACES, ROUND_HALF_UP)


# ------------------------------------------------------------------------------------------------
# public welfare first


@dataclass(frozen=True)
class Work:
    name: str
    kind: str
    start: dt.date
    finish: dt.date

    @property
    def public_welfare(self) -> bool:
        return WORK_KINDS[self.kind][2]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "start": self.start.isoformat(),
                "finish": self.finish.isoformat(), "public_welfare": self.public_welfare}


@dataclass(frozen=True)
class EarlyWork:
    """An other work that starts too early; ``earliest_start`` is None when the phase has no
    public-welfare work at all (no date would do)."""
    name: str
    kind: str
    start: dt.date
    earliest_start: dt.date | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "start": self.start.isoformat(),
                "earliest_start": None if self.earliest_start is None
                else self.earliest_start.isoformat()}


REASONS: dict[str, tuple[str, str]] = {
    "ok": ("公益性设施先行", "public-welfare works start first"),
    "other_work_starts_early": ("其他建设早于公益性设施全部开工",
                                "other works start before every public-welfare work has started"),
    "no_public_welfare_work": ("分片未安排公益性设施", "the phase plans no public-welfare work"),
    "empty_schedule": ("分片无建设计划", "the phase has no construction plan"),
}


@dataclass(frozen=True)
class PublicWelfareFirstCheck:
    allowed: bool
    reason: str  # a key of REASONS
    offending: tuple[EarlyWork, ...]
    works: tuple[Work, ...]
    last_public_welfare_start: dt.date | None
    earliest_other_start: dt.date | None
    lead_days: int
    rule: str
    clause: str

    def as_dict(self) -> dict[str, Any]:
        def iso(d: dt.date | None) -> str | None:
            return None if d is None else d.isoformat()
        return {"allowed": self.allowed, "reason": self.reason,
                "reason_label": dict(zip(("zh", "en"), REASONS[self.reason], strict=True)),
                "offending": [w.as_dict() for w in self.offending],
                "works": [w.as_dict() for w in self.works],
                "last_public_welfare_start": iso(self.last_public_welfare_start),
                "earliest_other_start": iso(self.earliest_other_start),
                "lead_days": self.lead_days, "rule": self.rule, "clause": self.clause,
                "explanation": self.explain()}

    def explain(self) -> str:
        zh, en = REASONS[self.reason]
        names = ", ".join(f"{w.name} ({w.start.isoformat()})" for w in self.offending)
        if self.reason == "other_work_starts_early":
            en += (f": {names} — not before {self.earliest_other_start} (last public-welfare "
                   f"start {self.last_public_welfare_start} + {self.lead_days} d)")
        elif self.reason == "no_public_welfare_work":
            en += f": {names}"
        verdict = "passes" if self.allowed else "refused"
        return f"{zh} | public welfare first {verdict}: {en} [{self.rule}]"


def public_welfare_first_check(schedule: Iterable[Mapping[str, Any]], rules: ParameterPack,
                               *, path: str = "schedule") -> PublicWelfareFirstCheck:
    """每个分片优先建设安置房、公共服务设施和市政基础设施: refuse when an ``other`` work of the
    phase starts before every public-welfare work has started (plus the pack's lead days), or
    when the phase plans other works but no public-welfare work. ``schedule`` is a list of
    ``{name, kind, start, finish}`` with dates as :class:`datetime.date` or ISO text; a bad work
    is refused naming its row and field under ``path`` (``schedule[i].kind``, or as the caller
    calls the list)."""
    works = _works(schedule, path)
    param = rules.param(WELFARE_PARAM)
    lead = param.value
    if not lead.is_finite() or lead < 0 or lead != lead.to_integral_value():
        raise ConfigurationError(f"rule pack {rules.id}: {WELFARE_PARAM} must be a whole number "
                                 f"of days ≥ 0, not {lead}", field=WELFARE_PARAM)
    lead_days = int(lead)
    rule = f"{rules.id}:{WELFARE_PARAM}"
    welfare = [w for w in works if w.public_welfare]
    others = [w for w in works if not w.public_welfare]
    last = max((w.start for w in welfare), default=None)
    earliest = None if last is None else last + dt.timedelta(days=lead_days)
    if not works:
        reason, offending = "empty_schedule", []
    elif earliest is None:
        reason, offending = "no_public_welfare_work", [EarlyWork(w.name, w.kind, w.start, None)
                                                       for w in others]
    else:
        offending = [EarlyWork(w.name, w.kind, w.start, earliest) for w in others
                     if w.start < earliest]
        reason = "other_work_starts_early" if offending else "ok"
    return PublicWelfareFirstCheck(reason == "ok", reason, tuple(offending), tuple(works), last,
                                   earliest, lead_days, rule, param.clause)


def _works(schedule: Any, path: str) -> list[Work]:
    if isinstance(schedule, (str, bytes, Mapping)) or not isinstance(schedule, Iterable):
        raise InputError("the schedule must be a list of works", field=path)
    works: list[Work] = []
    seen: set[str] = set()
    for i, item in enumerate(schedule):
        if not isinstance(item, Mapping):
            raise _bad_work(path, i, "a work must be an object {name, kind, start, finish}")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _bad_work(path, i, "a work needs a name", "name")
        if name in seen:
            raise _bad_work(path, i, f"work '{name}' is listed twice", "name")
        seen.add(name)
        kind = item.get("kind")
        if kind not in WORK_KINDS:
            raise _bad_work(path, i, f"unknown work kind {kind!r}; expected one of "
                            f"{', '.join(WORK_KINDS)}", "kind")
        start, finish = _work_date(item, path, i, "start"), _work_date(item, path, i, "finish")
        if finish < start:
            raise _bad_work(path, i, f"finish {finish} is before start {start}", "finish")
        works.append(Work(name, kind, start, finish))
    return works


def _bad_work(path: str, row: int, message: str, key: str | None = None) -> InputError:
    """Work ``row`` of the list ``path`` refused, naming its row and field (``path[row].key``)."""
    where = f"{path}[{row}]"
    return InputError(f"work {row}: {message}", row=row,
                      field=where if key is None else f"{where}.{key}")


def _work_date(item: Mapping[str, Any], path: str, row: int, key: str) -> dt.date:
    """Work ``row``'s date ``key``, or its refusal naming the row and field."""
    day = _date(item.get(key))
    if day is None:
        raise _bad_work(path, row, f"expected a date (YYYY-MM-DD), got {item.get(key)!r}", key)
    return day


def _date(value: Any) -> dt.date | None:
    """A date from a date, a datetime or ISO text; None when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
