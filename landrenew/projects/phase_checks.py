"""The checks a phase (分片) is held to under the urban-village phase rules where its project lies
(城中村改造分期实施规则, kind ``renewal_phases``): which rules apply (:func:`phase_rules`, 409
``no_rules`` where the place has none), that the implementation scheme is approved before
signing or demolition (项目实施方案批复并生效后, :func:`require_scheme`), and that a phase's
boundary is a valid polygon that cuts no guideline parcel (导则地块, :func:`guideline_check`,
reading the current guideline parcels). The pure decisions are :mod:`landrenew.projects.phasing`;
the use cases that apply them are :mod:`landrenew.projects.phase_service`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import shapely
from pyproj import CRS
from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import packs
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError
from landrenew.core.packmodels import ParameterPack
from landrenew.core.packs import NoRules
from landrenew.core.store.models import Project, ZoneVersion
from landrenew.core.store.versions import box_overlaps
from landrenew.projects.phasing import GuidelineSplitCheck, guideline_split_check
from landrenew.projects.service import PHASE_RULES

#: Zone kind of the detailed plan's guideline parcels (详细规划导则地块).
GUIDELINE_KIND = "guideline_parcel"


def polygon(geometry: dict[str, Any] | None) -> shapely.Geometry | None:
    if geometry is None:
        return None
    try:
        geom = shapely.geometry.shape(geometry)
    except Exception as exc:
        raise InputError(f"geometry is not GeoJSON: {exc}", field="geometry") from exc
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise InputError(f"a phase boundary must be a polygon, not {geom.geom_type}",
                         field="geometry")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputError("geometry must be EPSG:4490 longitude/latitude", field="geometry")
    if not geom.is_valid:
        raise InputError(f"the phase boundary is not a valid polygon: "
                         f"{shapely.is_valid_reason(geom)}", field="geometry")
    return geom


def phase_rules(project: Project, on: dt.date | None = None) -> ParameterPack:
    """The urban-village phase rules (kind ``renewal_phases``) in force where the project lies,
    on ``on`` (today in the city); :class:`~landrenew.core.packs.NoRules` (409 ``no_rules``)
    where the place has none."""
    return packs.resolve_load(PHASE_RULES, project.district_code, on or city_today(),
                              ParameterPack)


def phase_rules_or_none(project: Project) -> tuple[ParameterPack | None, NoRules | None]:
    try:
        return phase_rules(project), None
    except NoRules as exc:
        return None, exc


class SchemeNotApproved(Conflict):
    """409 ``scheme_not_approved``: signing before the implementation scheme is approved."""

    code = "scheme_not_approved"


def require_scheme(project: Project, rules: ParameterPack, on: dt.date,
                   what: tuple[str, str]) -> None:
    """Signing and demolition start only after the project's implementation scheme is approved
    and in force (项目实施方案批复并生效后), where the place's phase rules say so; whether the day
    of approval counts as after is the pack's ``scheme_approval_day_counts``."""
    name = "signing_requires_approved_scheme"
    if not rules.has(name) or not rules.param(name).flag:
        return
    param = rules.param(name)
    approved = project.scheme_approved_on
    if approved is None:
        raise SchemeNotApproved(
            f"项目实施方案尚未批复，不能{what[0]} | project {project.id}'s implementation scheme "
            f"is not approved (scheme_approved_on is empty): {what[1]} only after it is "
            f"[{rules.id}:{name}] {param.clause}", field="scheme_approved_on")
    same_day = (rules.has("scheme_approval_day_counts")
                and rules.param("scheme_approval_day_counts").flag)
    if on < approved or (on == approved and not same_day):
        when = "on or after" if same_day else "after"
        raise SchemeNotApproved(
            f"{on.isoformat()}早于项目实施方案批复生效（{approved.isoformat()}），不能{what[0]} | "
            f"{what[1]} is dated {on.isoformat()}: it must be {when} the scheme's approval on "
            f"{approved.isoformat()} [{rules.id}:{name}] {param.clause}",
            field="scheme_approved_on")


def guideline_check(session: Session, geom: shapely.Geometry, crs: CRS,
                    rules: ParameterPack) -> GuidelineSplitCheck:
    """The phase (EPSG:4490) against the current guideline parcels whose boxes meet its box,
    both projected into the city's zone ``crs``."""
    rows = session.execute(select(ZoneVersion.zone_code, ZoneVersion.geom).where(
        ZoneVersion.kind == GUIDELINE_KIND, ZoneVersion.valid_to.is_(None),
        ZoneVersion.is_deleted.is_(False), ZoneVersion.geom.is_not(None),
        box_overlaps(ZoneVersion, geom.bounds)).order_by(ZoneVersion.zone_code)).all()
    storage = CRS.from_epsg(4490)
    phase = gpd.GeoSeries([geom], crs=storage).to_crs(crs).iloc[0]
    parcels: list[tuple[str, Any]] = []
    if rows:
        projected = gpd.GeoSeries(shapely.from_wkb([r.geom for r in rows]), crs=storage).to_crs(crs)
        parcels = list(zip([r.zone_code for r in rows], projected.tolist(), strict=True))
    return guideline_split_check(phase, parcels, rules)
