"""The parcels overview at low zoom (地块概览): grid cells instead of a million polygons.

Below :data:`MIN_PARCEL_ZOOM` a tile covers tens of kilometres and most parcels are smaller than
a pixel, so drawing each one is slow and unreadable. Each such tile is instead a grid of
:data:`GRID` × :data:`GRID` cells; a cell with parcels becomes a square carrying the number of
parcels, how many are low-efficiency, their area in 亩, and the main category by area (the
colour). The parcels are kept in memory as points (the centre of each bounding box, in Web
Mercator) with their district, area and first category, loaded once per data stamp; a tile is a
vectorised selection and group-by over them, the same on both backends.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import mapbox_vector_tile
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from sqlalchemy import and_, select

from landrenew.core.access import Principal
from landrenew.core.store import Store
from landrenew.core.store.models import ParcelResult, ParcelVersion
from landrenew.core.store.published import published_run_id
from landrenew.core.units import m2_to_mu

MIN_PARCEL_ZOOM = 13
GRID = 64
P = ParcelVersion.__table__
R = ParcelResult.__table__


@dataclass(frozen=True)
class ParcelPoints:
    """Current parcels as points: Web Mercator x/y, district index, area, category index."""

    x: np.ndarray
    y: np.ndarray
    district: np.ndarray      # index into ``districts``
    area_m2: np.ndarray
    low: np.ndarray           # 1 low-efficiency, 0 not, -1 not evaluated
    category: np.ndarray      # index into ``categories``; -1 none
    districts: tuple[str, ...]
    categories: tuple[str, ...]


_TO_MERCATOR = Transformer.from_crs(4490, 3857, always_xy=True)


def load_points(store: Store) -> ParcelPoints:
    with store.engine.connect() as conn:
        run_id = published_run_id(conn)
        cols: list[Any] = [P.c.minx, P.c.miny, P.c.maxx, P.c.maxy, P.c.district_code,
                           P.c.area_m2]
        src: Any = P
        if run_id is not None:
            cols += [R.c.is_low_efficiency, R.c.categories]
            src = P.outerjoin(R, and_(R.c.parcel_code == P.c.parcel_code, R.c.run_id == run_id))
        stmt = select(*cols).select_from(src).where(P.c.valid_to.is_(None),
                                                    P.c.is_deleted.is_(False))
        df = pd.DataFrame(conn.execute(stmt).all(), columns=[c.name for c in cols])
    if run_id is None:
        df["is_low_efficiency"] = None
        df["categories"] = None
    df = df.dropna(subset=["minx"])
    x, y = _TO_MERCATOR.transform(((df["minx"] + df["maxx"]) / 2).to_numpy(float),
                                  ((df["miny"] + df["maxy"]) / 2).to_numpy(float))
    x, y = np.asarray(x), np.asarray(y)
    dcodes, districts = pd.factorize(df["district_code"].fillna(""))
    first = df["categories"].fillna("").astype(str).str.split(";").str[0]
    ccodes, categories = pd.factorize(first.replace("", None), use_na_sentinel=True)
    low = df["is_low_efficiency"].map({True: 1, False: 0}).fillna(-1)
    return ParcelPoints(x, y, dcodes.astype(np.int32), df["area_m2"].fillna(0).to_numpy(float),
                        low.to_numpy(np.int8), ccodes.astype(np.int32),
                        tuple(str(d) for d in districts), tuple(str(c) for c in categories))


class _Points:
    """Points of each database, reloaded when the data stamp changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, ParcelPoints]] = {}

    def get(self, store: Store, stamp: str) -> ParcelPoints:
        with self._lock:  # one load at a time; others wait rather than load it again
            hit = self._cache.get(store.url)
            if hit is None or hit[0] != stamp:
                hit = (stamp, load_points(store))
                self._cache[store.url] = hit
            return hit[1]


POINTS = _Points()


def overview_tile(points: ParcelPoints, user: Principal,
                  bounds: tuple[float, float, float, float], extent: int = 4096) -> bytes:
    """The encoded overview tile of the Web Mercator ``bounds`` (empty bytes when no parcel falls
    in it)."""
    minx, miny, maxx, _ = bounds
    size = maxx - minx
    inside = ((points.x >= minx) & (points.x < minx + size) & (points.y >= miny)
              & (points.y < miny + size))
    if user.scope is not None:
        allowed = [i for i, d in enumerate(points.districts) if d in user.scope]
        inside &= np.isin(points.district, allowed)
    idx = np.flatnonzero(inside)
    if len(idx) == 0:
        return b""
    cx = np.minimum(((points.x[idx] - minx) / size * GRID).astype(np.int64), GRID - 1)
    cy = np.minimum(((points.y[idx] - miny) / size * GRID).astype(np.int64), GRID - 1)
    cell = cy * GRID + cx
    area = points.area_m2[idx]
    low = points.low[idx]
    frame = pd.DataFrame({"cell": cell, "area": area, "low": (low == 1).astype(np.int64),
                          "evaluated": (low >= 0).astype(np.int64),
                          "cat": points.category[idx]})
    cells = frame.groupby("cell").agg(count=("area", "size"), area=("area", "sum"),
                                      low=("low", "sum"), evaluated=("evaluated", "sum"))
    lowcat = frame[(frame["low"] == 1) & (frame["cat"] >= 0)]
    main = (lowcat.groupby(["cell", "cat"])["area"].sum().reset_index()
            .sort_values(["cell", "area"], ascending=[True, False]).drop_duplicates("cell")
            .set_index("cell")["cat"])
    step = extent / GRID
    main_cat = main.reindex(cells.index).to_numpy()
    features = []
    for c, count, area_m2, n_low, n_eval, cat in zip(
            cells.index.to_numpy(), cells["count"].to_numpy(), cells["area"].to_numpy(),
            cells["low"].to_numpy(), cells["evaluated"].to_numpy(), main_cat, strict=True):
        gx, gy = int(c) % GRID, int(c) // GRID
        props: dict[str, Any] = {"count": int(count), "low_efficiency": int(n_low),
                                 "area_mu": round(float(m2_to_mu(area_m2)), 2)}
        if n_eval:
            props["is_low_efficiency"] = bool(n_low)
        if not pd.isna(cat):
            props["category"] = points.categories[int(cat)]
        features.append({"geometry": shapely.box(gx * step, gy * step, (gx + 1) * step,
                                                 (gy + 1) * step), "properties": props})
    return mapbox_vector_tile.encode([{"name": "parcels", "features": features}],
                                     default_options={"extents": extent})
