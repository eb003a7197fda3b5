"""A phase's boundary (分片范围) as staff bring it: a file exported from their GIS (GeoJSON,
zipped shapefile, GeoPackage, KML) or a polygon drawn on the page's map. Either way the result is
one GeoJSON polygon in CGCS2000 longitude/latitude (EPSG:4490), which
:func:`landrenew.projects.phase_service.create_phase` checks and measures.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import shapely

from landrenew.core.errors import InputError

#: File types read as a boundary, by suffix.
SUFFIXES = (".geojson", ".json", ".zip", ".gpkg", ".kml")
#: The largest boundary file read (a phase is one polygon, not a survey).
MAX_BYTES = 16 * 2**20


def from_drawing(text: str | None) -> dict[str, Any] | None:
    """The polygon drawn on the map (the page writes it as GeoJSON); None when nothing was
    drawn. A Feature or FeatureCollection is reduced to its geometry."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise InputError("the drawn boundary is not GeoJSON", field="geometry") from None
    return _geometry_of(value)


def _geometry_of(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        parts = [shapely.geometry.shape(f["geometry"]) for f in value.get("features") or []
                 if isinstance(f, dict) and f.get("geometry")]
        if not parts:
            raise InputError("the boundary has no polygon", field="geometry")
        return dict(shapely.geometry.mapping(shapely.union_all(parts)))
    if isinstance(value, dict) and value.get("type") == "Feature":
        return _geometry_of(value.get("geometry"))
    if isinstance(value, dict) and "type" in value:
        return value
    raise InputError("the drawn boundary is not GeoJSON", field="geometry")


def from_file(name: str, content: bytes) -> dict[str, Any]:
    """The boundary in an uploaded file: every polygon in it merged into one, reprojected to
    EPSG:4490 from the file's own coordinate system (longitude/latitude assumed when the file
    names none, as GeoJSON does)."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"a boundary file must be one of {', '.join(SUFFIXES)}",
                         field="boundary")
    if len(content) > MAX_BYTES:
        raise InputError(f"the boundary file exceeds {MAX_BYTES // 2**20} MiB",
                         field="boundary")
    import geopandas as gpd

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"boundary{suffix}"
        path.write_bytes(content)
        try:
            frame = gpd.read_file(f"zip://{path}" if suffix == ".zip" else path)
        except Exception:  # GDAL's own message names server paths: say it plainly
            raise InputError("the boundary file cannot be read", field="boundary") from None
    frame = frame[frame.geometry.notna()]
    if frame.empty:
        raise InputError("the boundary has no polygon", field="boundary")
    if frame.crs is not None and frame.crs.to_epsg() not in (4490, 4326):
        frame = frame.to_crs(4490)
    geoms = [g for g in frame.geometry if g.geom_type in ("Polygon", "MultiPolygon")]
    if not geoms:
        raise InputError("the boundary has no polygon", field="boundary")
    merged = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
    return dict(shapely.geometry.mapping(merged))
