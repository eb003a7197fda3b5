"""Districts (行政区): GB/T 2260 code, name and boundary; changes are audited."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import select

from landrenew.core import audit
from landrenew.core.errors import InputError
from landrenew.core.spatial import STORAGE_CRS, areas_m2, check_polygons, to_storage
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import District
from landrenew.core.store.types import storage_wkb
from landrenew.land.coordinates import check_extent
from landrenew.land.importing import resolve_projected_crs
from landrenew.land.readers import read_vector

CODE_FIELDS = ("district_code", "code", "adcode", "行政区代码")
NAME_FIELDS = ("name", "名称", "行政区名称")


def import_districts(store: Store, path: str | Path, *, user: str, crs: str | None = None,
                     reason: str | None = None, projected_crs: str | None = None) -> int:
    """Insert or update districts from a boundary file (fields: district_code/code, name)."""
    store.ensure_current()
    read = read_vector(path, crs=crs)
    gdf = read.gdf
    code_col = next((c for c in CODE_FIELDS if c in gdf.columns), None)
    name_col = next((c for c in NAME_FIELDS if c in gdf.columns), None)
    if code_col is None or name_col is None:
        raise InputError("a district file needs a code field (district_code) and a name field",
                         file=str(path))
    check = check_polygons(np.asarray(gdf.geometry.values))
    bad = check.missing | check.empty | check.wrong_type
    if bad.any():
        raise InputError("district boundary is missing, empty or not a polygon",
                         file=str(path), row=int(gdf.index[bad.argmax()]), field="geometry")
    gdf = gdf.set_geometry(gpd.GeoSeries(check.repaired, index=gdf.index, crs=gdf.crs))
    # the districts are the city's extent for every later parcel: never from wrong coordinates
    outside = check_extent(np.asarray(gdf.geometry.values), list(gdf.index), gdf.crs,
                           str(path), None)[0]
    if outside:
        raise InputError(outside[0].message, file=str(path), row=outside[0].row,
                         field="geometry")
    stored = to_storage(gdf)
    geoms = np.asarray(stored.geometry.values)
    now = utcnow()
    with store.session() as session:
        area_crs = resolve_projected_crs(session, projected_crs,
                                         tuple(shapely.total_bounds(geoms)), user)
        areas = areas_m2(geoms, STORAGE_CRS, area_crs)
        for i, (_, row) in enumerate(stored.iterrows()):
            code = str(row[code_col]).strip()
            if not (code.isdigit() and len(code) == 6):
                raise InputError(f"'{code}' is not a six-digit GB/T 2260 code", file=str(path),
                                 row=int(gdf.index[i]), field=code_col)
            geom = geoms[i]
            wkb = storage_wkb([geom], store.caps)[0]
            minx, miny, maxx, maxy = shapely.bounds(geom)
            existing = session.get(District, code)
            values = {"name": str(row[name_col]), "boundary": wkb, "area_m2": float(areas[i]),
                      "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy,
                      "updated_at": now, "updated_by": user}
            if existing is None:
                session.add(District(code=code, **values))
                audit.record(session, actor=user, action="insert", entity_type="district",
                             entity_id=code, reason=reason, after={"name": values["name"],
                                                                   "area_m2": values["area_m2"]})
            else:
                before = {"name": existing.name, "area_m2": existing.area_m2}
                for k, v in values.items():
                    setattr(existing, k, v)
                audit.record(session, actor=user, action="update", entity_type="district",
                             entity_id=code, reason=reason, before=before,
                             after={"name": values["name"], "area_m2": values["area_m2"]})
    return len(stored)


def list_districts(store: Store) -> list[District]:
    with store.read_session() as session:
        return list(session.scalars(select(District).order_by(District.code)))


def districts_frame(store: Store) -> gpd.GeoDataFrame:
    rows = list_districts(store)
    return gpd.GeoDataFrame(
        {"district_code": [d.code for d in rows], "name": [d.name for d in rows],
         "area_m2": [d.area_m2 for d in rows]},
        geometry=shapely.from_wkb([d.boundary for d in rows]) if rows else [], crs=STORAGE_CRS)
