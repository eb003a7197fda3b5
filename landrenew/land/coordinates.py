"""Where a parcel may lie (坐标范围检查). Pure: geometries in, problems out.

Two mistakes store parcels nobody can find: coordinates that cannot be in the file's coordinate
system (a polygon at longitude 500; a file in metres labelled EPSG:4490, whose x of 405 000 is
read as degrees), and coordinates that are real but somewhere else (another city's file, a wrong
Gauss-Krüger zone). Each row is refused, named, when its bounding box lies

* outside the **area of use** of the file's CRS (pyproj's ``CRS.area_of_use``, the EPSG
  registry's extent) widened by :data:`AREA_OF_USE_MARGIN_DEG`, or
* outside the **city**: the extent of the stored district boundaries widened by
  :data:`CITY_MARGIN_DEG` (checked once the city's districts are stored).

The margins are technical tolerances, not policy: a city often keeps its whole area in one
3-degree zone although its edge lies beyond the zone's nominal band (Jiangmen's west, about
112°E, in the zone of 114°E whose band starts at 112.5°E), and survey data run past a district
line by the width of a road or a reclaimed shore.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer

from landrenew.core.errors import Problem
from landrenew.core.spatial import STORAGE_CRS
from landrenew.land.validate import row_label

#: How far (degrees) beyond its CRS's area of use a parcel may lie: half a 3-degree zone.
AREA_OF_USE_MARGIN_DEG = 1.5
#: How far (degrees, about 5 km) beyond the extent of the city's districts a parcel may lie.
CITY_MARGIN_DEG = 0.05

Bounds = tuple[float, float, float, float]


def lonlat_bounds(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    """Each geometry's bounding box in EPSG:4490 lon/lat (its corners transformed), ``inf``
    where the coordinates cannot be transformed, NaN for a missing or empty geometry."""
    bounds = shapely.bounds(np.asarray(geoms, dtype=object))
    if crs.equals(STORAGE_CRS):
        return bounds
    to_lonlat = Transformer.from_crs(crs, STORAGE_CRS, always_xy=True)
    xs = np.concatenate([bounds[:, 0], bounds[:, 0], bounds[:, 2], bounds[:, 2]])
    ys = np.concatenate([bounds[:, 1], bounds[:, 3], bounds[:, 1], bounds[:, 3]])
    with np.errstate(invalid="ignore"):
        lon, lat = to_lonlat.transform(xs, ys, errcheck=False)
    n = len(bounds)
    lon = np.asarray(lon, dtype="float64").reshape(4, n)
    lat = np.asarray(lat, dtype="float64").reshape(4, n)
    out = np.column_stack([lon.min(axis=0), lat.min(axis=0), lon.max(axis=0), lat.max(axis=0)])
    known = ~np.isnan(bounds).any(axis=1)
    out[known & ~np.isfinite(out).all(axis=1)] = np.inf
    return out


def _outside(lonlat: np.ndarray, box: Bounds, margin: float) -> np.ndarray:
    """Rows whose box is not wholly within ``box`` widened by ``margin`` (a missing or empty
    geometry is left to the geometry check)."""
    west, south, east, north = box
    with np.errstate(invalid="ignore"):
        inside = ((lonlat[:, 0] >= west - margin) & (lonlat[:, 2] <= east + margin)
                  & (lonlat[:, 1] >= south - margin) & (lonlat[:, 3] <= north + margin))
    known = ~np.isnan(lonlat).any(axis=1)
    return known & ~inside


def _span(box: Bounds) -> str:
    west, south, east, north = box
    return f"{west:.2f}–{east:.2f}°E, {south:.2f}–{north:.2f}°N"


def check_extent(geoms: np.ndarray, labels: list[object], crs: CRS, file: str,
                 city: Bounds | None) -> tuple[list[Problem], np.ndarray]:
    """Problems (errors) and the refused-row mask for geometries in ``crs`` lying outside the
    CRS's area of use or outside the ``city`` extent (EPSG:4490; ``None``: no districts yet)."""
    geoms = np.asarray(geoms, dtype=object)
    refused = np.zeros(len(geoms), dtype=bool)
    found: list[tuple[int, Problem]] = []
    if not len(geoms):
        return [], refused
    lonlat = lonlat_bounds(geoms, crs)
    raw = shapely.bounds(geoms)
    area = crs.area_of_use
    name = crs.to_string()
    if area is not None and area.west <= area.east:
        box = (area.west, area.south, area.east, area.north)
        for i in np.flatnonzero(_outside(lonlat, box, AREA_OF_USE_MARGIN_DEG)):
            x0, y0, x1, y1 = raw[i]
            found.append((int(i), Problem(
                file, row_label(labels[i]), "geometry", "outside_crs_area",
                f"its coordinates ({x0:.10g}, {y0:.10g} – {x1:.10g}, {y1:.10g}) lie outside the "
                f"area of use of {name} ({area.name.rstrip('.')}: {_span(box)}): is the file's "
                "coordinate system right (metres labelled as degrees?), or are the "
                "coordinates?")))
            refused[i] = True
    if city is not None:
        for i in np.flatnonzero(_outside(lonlat, city, CITY_MARGIN_DEG) & ~refused):
            x0, y0, x1, y1 = lonlat[i]
            found.append((int(i), Problem(
                file, row_label(labels[i]), "geometry", "outside_city",
                f"it lies outside the city ({x0:.4f}, {y0:.4f} – {x1:.4f}, {y1:.4f}; the "
                f"districts span {_span(city)}): another city's data, or a wrong coordinate "
                "system or zone?")))
            refused[i] = True
    return [p for _, p in sorted(found, key=lambda item: item[0])], refused
