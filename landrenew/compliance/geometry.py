"""A request's geometry and the facts the map knows about it (图上事实), as pure functions.

A request may carry its site: in the API a GeoJSON geometry (``geometry``), in a sheet a WKT
column (``wkt``) or a point as ``lon`` and ``lat`` columns — all in EPSG:4490 (CGCS2000
longitude/latitude). :func:`read_geometry` reads it (a problem names the field, never refuses
the whole request); :func:`measure` measures it against zones already projected into the city's
Gauss-Krüger zone:

- ``share``: the share of the site inside the zones (城镇开发边界), 0 when the overlap is a survey
  sliver; a point or a line is inside (1) or not (0);
- ``overlap``: whether the site lies on the zones (永久基本农田, 地质灾害隐患点/区): an overlap
  larger than the sliver (both the area and the share of the pack's tolerances), or, for a point
  or a line, any contact beyond touching the edge.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import shapely

from landrenew.compliance.decisions import MapFact
from landrenew.compliance.fields import Problem, blank

_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def _checked(geom: shapely.Geometry, name: str, raw: Any) -> tuple[Any, list[Problem]]:
    if geom is None or geom.is_empty:
        return None, [Problem(name, raw, "the geometry is empty")]
    if geom.geom_type not in _TYPES:
        return None, [Problem(name, raw, f"a site must be a point, line or polygon, not "
                                         f"{geom.geom_type}")]
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return None, [Problem(name, raw, "the geometry must be EPSG:4490 longitude/latitude")]
    if not geom.is_valid:
        return None, [Problem(name, raw, f"the geometry is not valid: "
                                         f"{shapely.is_valid_reason(geom)}")]
    return geom, []


def read_geometry(values: Mapping[str, Any]) -> tuple[shapely.Geometry | None, list[Problem]]:
    """The site of a request, if it has one: ``geometry`` (GeoJSON, as an object or its text),
    else ``wkt``, else ``lon`` + ``lat``."""
    raw = values.get("geometry")
    if not blank(raw):
        try:
            data = json.loads(raw) if isinstance(raw, str) else raw
            if isinstance(data, dict) and data.get("type") == "Feature":
                data = data.get("geometry")
            geom = shapely.geometry.shape(data)
        except Exception as exc:  # json, shapely and GeoJSON shape errors alike
            return None, [Problem("geometry", raw, f"not a GeoJSON geometry: {exc}")]
        return _checked(geom, "geometry", raw)
    raw = values.get("wkt")
    if not blank(raw):
        try:
            geom = shapely.from_wkt(str(raw).strip())
        except shapely.errors.GEOSException as exc:
            return None, [Problem("wkt", raw, f"the WKT cannot be read: {exc}")]
        return _checked(geom, "wkt", raw)
    lon, lat = values.get("lon"), values.get("lat")
    if blank(lon) and blank(lat):
        return None, []
    if blank(lon) or blank(lat):
        name = "lon" if blank(lon) else "lat"
        return None, [Problem(name, None, "give both lon and lat")]
    try:
        point = shapely.Point(float(str(lon).strip()), float(str(lat).strip()))
    except ValueError:
        return None, [Problem("lon", f"{lon}, {lat}", "lon and lat must be numbers")]
    return _checked(point, "lon", f"{lon}, {lat}")


def measure(field: str, layer: str, mode: str, site: shapely.Geometry,
            zones: Sequence[tuple[str, shapely.Geometry]], sliver_m2: Decimal,
            sliver_share: Decimal) -> MapFact:
    """The fact ``field`` of a site (projected, metres) read from ``zones`` (label, projected
    geometry) of one ``layer``; ``mode`` is ``share`` or ``overlap``."""
    polygonal = site.geom_type in ("Polygon", "MultiPolygon")
    if polygonal:
        met = [(label, zone) for label, zone in zones
               if site.intersects(zone) and site.intersection(zone).area > 0]
    else:
        met = [(label, zone) for label, zone in zones
               if site.intersects(zone) and not site.touches(zone)]
    site_m2 = float(site.area) if polygonal else 0.0
    overlap = 0.0
    if polygonal and met:  # zones of a layer may overlap each other: measure their union
        overlap = float(site.intersection(shapely.union_all([z for _, z in met])).area)
    if polygonal:
        counts = (site_m2 > 0 and overlap > float(sliver_m2)
                  and overlap / site_m2 > float(sliver_share))
        share = min(overlap / site_m2, 1.0) if counts else 0.0
    else:
        counts = bool(met)
        share = 1.0 if counts else 0.0
    value: Any = Decimal(f"{share:.4f}").normalize() if mode == "share" else counts
    return MapFact(field, value, layer, tuple(label for label, _ in met) if counts else (),
                   overlap, site_m2)
