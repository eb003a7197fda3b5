"""The spatial engine's basics (空间计算): CRS handling, Gauss-Krüger zones, areas, repairs.

Storage is always EPSG:4490 (geographic CGCS2000, lon/lat with ``always_xy``). Areas are computed
in a 3-degree Gauss-Krüger zone of CGCS2000 (EPSG:4534–4554, "CM xxxE", false easting 500 000):
zone ``n`` has central meridian ``3·n`` °E and code ``4534 + (n − 25)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from landrenew.core.errors import InputError

STORAGE_CRS = CRS.from_epsg(4490)
STORAGE_EPSG = 4490
_GK_FIRST_ZONE = 25  # EPSG:4534 is CGCS2000 / 3-degree Gauss-Kruger CM 75E
_GK_FIRST_EPSG = 4534
_GK_LAST_ZONE = 45  # EPSG:4554, CM 135E


def gk_zone_for_lon(lon: float) -> int:
    """3-degree zone number whose central meridian (3·n °E) is nearest ``lon``."""
    zone = round(lon / 3.0)
    if not _GK_FIRST_ZONE <= zone <= _GK_LAST_ZONE:
        raise InputError(f"longitude {lon:.4f} is outside China's CGCS2000 3-degree zones (75–135°E)")
    return zone


def gk_epsg_for_lon(lon: float) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss-Krüger CRS (CM form) for a longitude."""
    return _GK_FIRST_EPSG + gk_zone_for_lon(lon) - _GK_FIRST_ZONE


def projected_crs_for_bounds(bounds: tuple[float, float, float, float]) -> CRS:
    """Default projected CRS: the zone of the extent's central longitude (bounds in EPSG:4490)."""
    minx, _, maxx, _ = bounds
    if not np.isfinite([minx, maxx]).all():
        raise InputError("cannot choose a projected CRS for empty data")
    return CRS.from_epsg(gk_epsg_for_lon((minx + maxx) / 2.0))


def parse_crs(value: str | int | CRS | None) -> CRS | None:
    """``EPSG:4547``, ``4547`` or a WKT/PROJ string → CRS; refuses what pyproj cannot read."""
    if value is None or isinstance(value, CRS):
        return value
    try:
        return CRS.from_user_input(int(value) if str(value).isdigit() else value)
    except Exception as exc:  # pyproj raises CRSError
        raise InputError(f"unknown coordinate reference system {value!r}: {exc}", field="crs") from exc


def check_projected(crs: CRS) -> CRS:
    if not crs.is_projected:
        raise InputError(f"{crs.to_string()} is not a projected CRS; areas need metres", field="crs")
    return crs


def to_storage(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4490 (no-op when already there)."""
    if gdf.crs is None:
        raise InputError("data has no coordinate reference system")
    if CRS.from_user_input(gdf.crs).equals(STORAGE_CRS):
        return gdf.set_crs(STORAGE_CRS, allow_override=True)
    return gdf.to_crs(STORAGE_CRS)


def areas_m2(geoms: np.ndarray | gpd.GeoSeries, crs_from: CRS, crs_area: CRS | str) -> np.ndarray:
    """Planar areas in m² of geometries, after projecting them from ``crs_from`` to ``crs_area``
    (a CRS, or a stored setting's text such as ``EPSG:4547``)."""
    series = gpd.GeoSeries(geoms, crs=crs_from)
    projected = series.to_crs(crs_area) if not crs_from.equals(crs_area) else series
    return np.asarray(shapely.area(projected.values), dtype="float64")


@dataclass(frozen=True)
class GeometryCheck:
    """Vectorised check of a geometry array: which are missing, empty, invalid, and the repairs."""

    missing: np.ndarray
    empty: np.ndarray
    invalid: np.ndarray
    wrong_type: np.ndarray
    reasons: list[str | None]
    repaired: np.ndarray  # geometry array with invalid ones replaced by make_valid (polygonal part)


def check_polygons(geoms: np.ndarray) -> GeometryCheck:
    """Find missing, empty, non-polygonal and invalid polygons; repair the invalid ones.

    Repairs use ``shapely.make_valid`` and keep the polygonal part only (lines and points produced
    by collapsing are dropped); a repair that leaves nothing counts as empty.
    """
    geoms = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, [3, 6])  # Polygon, MultiPolygon
    wrong_type = ~missing & ~empty & ~polygonal
    ok = ~missing & ~empty & polygonal
    valid = np.ones(len(geoms), dtype=bool)
    valid[ok] = shapely.is_valid(geoms[ok])
    invalid = ok & ~valid
    reasons: list[str | None] = [None] * len(geoms)
    repaired = geoms.copy()
    if invalid.any():
        idx = np.flatnonzero(invalid)
        why = shapely.is_valid_reason(geoms[idx])
        fixed = shapely.make_valid(geoms[idx])
        for i, w, g in zip(idx, why, fixed, strict=True):
            reasons[i] = str(w)
            repaired[i] = polygonal_part(g)
        became_empty = shapely.is_empty(repaired[idx]) | shapely.is_missing(repaired[idx])
        empty[idx[became_empty]] = True
    return GeometryCheck(missing, empty, invalid, wrong_type, reasons, repaired)


def polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons in a (repaired) geometry as one Polygon/MultiPolygon."""
    if geom is None:
        return shapely.Polygon()
    tid = shapely.get_type_id(geom)
    if tid in (3, 6):
        return geom
    if tid == 7:  # GeometryCollection
        parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
        if not parts:
            return shapely.Polygon()
        return shapely.union_all(parts)
    return shapely.Polygon()
