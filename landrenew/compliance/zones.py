"""The stored zone layers a check's site is measured against (入库管控图层): the current zones of
a kind whose boxes meet the site's, projected with the site into the city's Gauss-Krüger zone
(the setting ``projected_crs``, as parcel areas are). Where a layer has never been imported, the
map cannot say: the fact is reported as unmapped and the typed value decides."""

from __future__ import annotations

import geopandas as gpd
import shapely
from pyproj import CRS
from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.compliance.checks import map_fields
from landrenew.compliance.decisions import MapFact
from landrenew.compliance.fields import Problem
from landrenew.compliance.geometry import measure
from landrenew.compliance.packs import CompliancePack
from landrenew.core import places
from landrenew.core.spatial import STORAGE_CRS
from landrenew.core.store.models import District, ZoneLayer, ZoneVersion
from landrenew.core.store.versions import box_overlaps


def _projected(geoms: list[shapely.Geometry], crs: CRS) -> list[shapely.Geometry]:
    return list(gpd.GeoSeries(geoms, crs=STORAGE_CRS).to_crs(crs))


def site_facts(session: Session, site: shapely.Geometry, kind: str, pack: CompliancePack,
               crs: CRS) -> dict[str, MapFact]:
    """The map facts of ``kind`` for ``site`` (EPSG:4490), from the current stored zones."""
    fields = map_fields(kind)
    if not fields:
        return {}
    projected = _projected([site], crs)[0]
    sliver_m2 = pack.number("map_sliver_m2").value
    sliver_share = pack.number("map_sliver_share").value
    out: dict[str, MapFact] = {}
    for name, (layer, mode) in fields.items():
        if session.get(ZoneLayer, layer) is None:
            out[name] = MapFact(name, None, layer)
            continue
        rows = session.execute(select(ZoneVersion.zone_code, ZoneVersion.name, ZoneVersion.geom)
                               .where(ZoneVersion.kind == layer, ZoneVersion.valid_to.is_(None),
                                      ZoneVersion.is_deleted.is_(False),
                                      ZoneVersion.geom.is_not(None),
                                      box_overlaps(ZoneVersion, site.bounds))
                               .order_by(ZoneVersion.zone_code)).all()
        geoms = _projected([shapely.from_wkb(r.geom) for r in rows], crs) if rows else []
        zones = [(f"{r.zone_code} {r.name}" if r.name else r.zone_code, g)
                 for r, g in zip(rows, geoms, strict=True)]
        out[name] = measure(name, layer, mode, projected, zones, sliver_m2, sliver_share)
    return out


def outside_district(session: Session, district: str, site: shapely.Geometry,
                     field: str) -> Problem | None:
    """A site drawn outside the district it is filed under (when the district's boundary is
    stored) cannot be checked there."""
    row = session.execute(select(District.name, District.boundary)
                          .where(District.code == district)).first()
    if row is None or row.boundary is None:
        return None
    if shapely.from_wkb(row.boundary).intersects(site):
        return None
    name = places.place_name(district, {district: row.name})
    return Problem(field, None, f"the site lies outside {name} ({district})")
