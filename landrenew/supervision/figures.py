"""District figures (区县GDP与建设用地): GDP (万元) and construction-land area (亩) by district
and year, imported from a sheet by the city bureau, and 单位GDP建设用地使用面积 read from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from landrenew.core import audit, places
from landrenew.core.access import Principal
from landrenew.core.errors import InputError
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import DistrictFigure
from landrenew.supervision.common import city_of, in_city, require_runner

FIGURE_COLUMNS = {"district_code": ("district_code", "行政区代码"), "year": ("year", "年份"),
                  "gdp_10k_yuan": ("gdp_10k_yuan", "GDP(万元)", "地区生产总值(万元)"),
                  "construction_land_mu": ("construction_land_mu", "建设用地面积(亩)")}


def import_figures(store: Store, user: Principal, city: str, rows: Sequence[Mapping[str, Any]],
                   *, source: str | None = None) -> dict[str, Any]:
    """District GDP (万元) and construction-land area (亩) by year; every row checked first,
    nothing kept when one is wrong (422 naming the row and column)."""
    require_runner(user)
    city = city_of(city)
    clean = []
    for i, row in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        for key, names in FIGURE_COLUMNS.items():
            raw = next((row[n] for n in names if n in row and row[n] not in (None, "")), None)
            if raw is None:
                raise InputError(f"row {i}: {key} is missing", field=key)
            values[key] = raw
        code = str(values["district_code"]).strip().split(".")[0]
        if not in_city(code, city) or places.level(code) != "district":
            raise InputError(f"row {i}: district_code '{code}' is not a district of {city}",
                             field="district_code")
        try:
            year = int(str(values["year"]).strip().split(".")[0])
            gdp = Decimal(str(values["gdp_10k_yuan"]).replace(",", "").strip())
            land = Decimal(str(values["construction_land_mu"]).replace(",", "").strip())
        except (ValueError, InvalidOperation):
            raise InputError(f"row {i}: year, gdp_10k_yuan and construction_land_mu must be "
                             "numbers", field="year") from None
        if gdp <= 0 or land <= 0:
            raise InputError(f"row {i}: GDP and construction land must be above 0",
                             field="gdp_10k_yuan")
        clean.append((code, year, gdp, land))
    now = utcnow()
    with store.session() as session:
        for code, year, gdp, land in clean:
            session.add(DistrictFigure(city_code=city, district_code=code, year=year,
                                       gdp_10k_yuan=gdp, construction_land_mu=land,
                                       source=source, recorded_by=user.name, recorded_at=now))
        audit.record(session, actor=user.name, action="import", entity_type="district_figures",
                     entity_id=city, reason=source, after={"rows": len(clean)})
    return {"city_code": city, "rows": len(clean)}


def read_figures_sheet(filename: str, content: bytes) -> list[dict[str, Any]]:
    """The rows of an uploaded sheet of district figures (.xlsx or .csv), every cell as text."""
    import io

    import pandas as pd

    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in ("xlsx", "csv"):
        raise InputError("district figures come as an .xlsx or .csv sheet", field="file")
    try:
        frame = (pd.read_csv(io.BytesIO(content), dtype=str, encoding="utf-8-sig")
                 if suffix == "csv" else pd.read_excel(io.BytesIO(content), dtype=str))
    except Exception as exc:  # a damaged or foreign file: pandas and openpyxl raise many kinds
        raise InputError(f"the sheet cannot be read: {type(exc).__name__}",
                         field="file") from None
    frame = frame.astype(object).where(frame.notna(), None)
    return [{str(k).strip(): v for k, v in row.items()} for row in frame.to_dict("records")]


def land_per_gdp(store: Store, city: str, *, known_at: dt.datetime | None = None
                 ) -> list[dict[str, Any]]:
    """单位GDP建设用地使用面积 (亩/万元 GDP, shown per 亿元) by district and year, with the change
    from the year before — the latest figures known at ``known_at``."""
    city = city_of(city)
    with store.read_session() as session:
        stmt = select(DistrictFigure).where(DistrictFigure.city_code == city)
        if known_at is not None:
            stmt = stmt.where(DistrictFigure.recorded_at <= known_at)
        latest: dict[tuple[str, int], DistrictFigure] = {}
        for f in session.scalars(stmt.order_by(DistrictFigure.recorded_at, DistrictFigure.id)):
            latest[(f.district_code, f.year)] = f
    out = []
    for (code, year), f in sorted(latest.items()):
        per = (f.construction_land_mu / f.gdp_10k_yuan * 10000).quantize(Decimal("0.01"))
        prev = latest.get((code, year - 1))
        before = ((prev.construction_land_mu / prev.gdp_10k_yuan * 10000).quantize(
            Decimal("0.01")) if prev else None)
        out.append({"district_code": code, "district": places.place_name(code), "year": year,
                    "gdp_10k_yuan": f.gdp_10k_yuan,
                    "construction_land_mu": f.construction_land_mu,
                    "mu_per_100m_yuan": per,
                    "change": (per - before) if before is not None else None,
                    "change_ratio": ((per - before) / before).quantize(Decimal("0.0001"))
                    if before else None})
    return out
