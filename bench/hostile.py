"""Hostile zone layers for the evaluation benchmark (not part of the test suite).

Red lines traced from imagery are a few polygons of tens of thousands of jagged vertices. This
module generates such layers over given parcels, in EPSG:4547:

* ``ecological_redline``: ``count`` polygons of about ``vertices`` vertices each, whose radius
  jitters strongly from one vertex to the next (0.45–1.0 of the nominal radius) and whose angles
  jitter too, so the rings cross themselves; they are repaired with ``make_valid`` (keeping the
  polygonal part, one MultiPolygon of hundreds of parts), as an import would. They lie side by
  side; a small correction patch overlaps the first one's rim, so the layer has to be dissolved.
* ``urban_development_boundary``: one polygon of about ``boundary_vertices`` jagged vertices
  covering the middle of the parcels.

    .venv/bin/python bench/hostile.py --n 20000     # prints the layers' sizes and validity
"""

from __future__ import annotations

import argparse
import json
import time

import geopandas as gpd
import numpy as np
import shapely

CRS = 4547


def jagged(cx: float, cy: float, radius: float, vertices: int, rng: np.random.Generator
           ) -> shapely.Geometry:
    """A ring of ``vertices`` points whose radius and angle jitter from point to point, repaired
    into valid polygons (often a MultiPolygon of many parts)."""
    step = 2 * np.pi / vertices
    t = np.arange(vertices) * step + rng.normal(0.0, 0.8 * step, vertices)
    r = radius * rng.uniform(0.45, 1.0, vertices)
    ring = np.c_[cx + r * np.cos(t), cy + r * np.sin(t)]
    raw = shapely.Polygon(ring)
    fixed = shapely.make_valid(raw, method="structure")
    parts = shapely.get_parts(fixed)
    polys = parts[shapely.get_type_id(parts) == 3]
    return shapely.multipolygons(polys) if len(polys) > 1 else polys[0]


def hostile_zones(parcels: gpd.GeoDataFrame, *, seed: int = 7, count: int = 4,
                  vertices: int = 20_000, boundary_vertices: int = 6_000
                  ) -> gpd.GeoDataFrame:
    """Hostile red lines and a jagged development boundary over ``parcels`` (EPSG:4547)."""
    rng = np.random.default_rng(seed)
    cent = shapely.centroid(parcels.to_crs(CRS).geometry.to_numpy())
    xy = shapely.get_coordinates(cent)
    x0, y0 = np.percentile(xy, 10, axis=0)
    x1, y1 = np.percentile(xy, 90, axis=0)
    span = min(x1 - x0, y1 - y0)
    rows: list[tuple[str, shapely.Geometry]] = []
    mx, my = np.median(xy, axis=0)
    r = 0.12 * span
    # side by side, 2.2 radii apart: the jagged polygons do not overlap one another
    offsets = [(-1.1, -1.1), (1.1, -1.1), (-1.1, 1.1), (1.1, 1.1), (0.0, 3.3), (3.3, 0.0)]
    for dx, dy in offsets[:count]:
        rows.append(("ecological_redline", jagged(mx + dx * r, my + dy * r, r, vertices, rng)))
    # a correction patch drawn over the first one's rim: the layer has to be dissolved
    ox, oy = mx - 1.1 * r + 0.9 * r, my - 1.1 * r
    rows.append(("ecological_redline", shapely.box(ox - 0.3 * r, oy - 0.3 * r,
                                                   ox + 0.3 * r, oy + 0.3 * r)))
    rows.append(("urban_development_boundary",
                 jagged(mx, my, 0.4 * span, boundary_vertices, rng)))
    return gpd.GeoDataFrame({"kind": [k for k, _ in rows]}, geometry=[g for _, g in rows],
                            crs=CRS)


def main() -> None:
    from landrenew.demo.generator import generate_parcels

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--vertices", type=int, default=20_000)
    args = ap.parse_args()
    parcels = generate_parcels(args.n, args.seed)
    t = time.perf_counter()
    zones = hostile_zones(parcels, vertices=args.vertices)
    g = zones.geometry.values
    print(json.dumps({"generate_s": round(time.perf_counter() - t, 3), "kinds": list(zones.kind),
                      "vertices": shapely.get_num_coordinates(g).tolist(),
                      "parts": shapely.get_num_geometries(g).tolist(),
                      "valid": bool(shapely.is_valid(g).all())}))


if __name__ == "__main__":
    main()
