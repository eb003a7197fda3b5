"""Statistics for the pilot reports (试点统计): pure functions over an evaluation result.

* by district × category × land class: parcel count, area (亩), potential floor area;
* per district and for the city: low-efficiency share of construction land, tax / output /
  investment per 亩, and the yearly disposal rates (年度处置率) of approved-but-unsupplied (批而未供)
  and idle (闲置) land, with the formula stated next to the numbers.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from landrenew.evaluation import codes
from landrenew.evaluation.apply import land_use_mask
from landrenew.evaluation.packs import RulePack

CITY = "全市"
ANY = "any"
DISPOSAL_FORMULA = ("年度处置率 = 年内处置面积 ÷ (年初存量面积 + 年内新增面积)；年初存量为按年初(1月1日)"
                    "评价仍属该类的地块，新增为年初不属、评价日属该类的地块，处置为年初属、评价日不再属该类的"
                    "地块。年内新增又于年内处置的地块在两个时点均不可见，不计入。")
PER_MU_FORMULA = "亩均税收/产出/投资 = 有该项数据的建设用地地块之合计(万元) ÷ 这些地块面积之和(亩)"
SHARE_FORMULA = "低效用地占比 = 低效用地面积 ÷ 建设用地面积（用地用海一级类07–16）"

HEADERS_ZH = {
    "district_code": "行政区代码", "district_name": "行政区", "category": "低效类型代码",
    "category_name": "低效类型", "land_class": "用地一级类代码", "land_class_name": "用地一级类",
    "parcels": "地块数", "area_mu": "面积(亩)", "potential_floor_area_m2": "潜力建筑面积(㎡)",
    "construction_area_mu": "建设用地面积(亩)", "low_efficiency_area_mu": "低效用地面积(亩)",
    "low_efficiency_share": "低效用地占比", "tax_per_mu": "亩均税收(万元/亩)",
    "output_per_mu": "亩均产出(万元/亩)", "investment_per_mu": "亩均投资(万元/亩)",
    "flag": "类别", "stock_start_mu": "年初存量(亩)", "added_mu": "年内新增(亩)",
    "disposed_mu": "年内处置(亩)", "disposal_rate": "年度处置率", "year": "年度",
    "item": "项目", "formula": "计算口径",
}


def _district(result: pd.DataFrame) -> pd.Series:
    if "district_code" in result.columns:
        return result["district_code"].astype(object).where(result["district_code"].notna(),
                                                              "未知")
    return pd.Series("未知", index=result.index, dtype=object)


def _construction(result: pd.DataFrame, pack: RulePack) -> np.ndarray:
    return land_use_mask(result["land_use"], pack.prefixes(["construction"])
                         if "construction" in pack.land_use_groups else ())


def category_table(result: pd.DataFrame, pack: RulePack) -> pd.DataFrame:
    """Count, area (亩) and potential by district × category × land class. A parcel in several
    categories is counted in each; the rows with category ``any`` count each parcel once."""
    base = pd.DataFrame({
        "district_code": _district(result).to_numpy(),
        "land_class": result["land_use"].astype(str).str.slice(0, 2).to_numpy(),
        "categories": result["categories"].to_numpy(),
        "area_mu": result["area_mu"].to_numpy(),
        "potential_floor_area_m2": result["potential_floor_area_m2"].to_numpy(),
        "low": result["is_low_efficiency"].to_numpy(dtype=bool),
    })
    low = base[base["low"]]
    exploded = codes.explode(low, "categories", to="category")
    anyrows = low.assign(category=ANY)
    both = pd.concat([exploded, anyrows], ignore_index=True)
    keys = ["district_code", "category", "land_class"]
    table = both.groupby(keys, sort=True).agg(
        parcels=("area_mu", "size"), area_mu=("area_mu", "sum"),
        potential_floor_area_m2=("potential_floor_area_m2", "sum")).reset_index()
    city = both.groupby(["category", "land_class"], sort=True).agg(
        parcels=("area_mu", "size"), area_mu=("area_mu", "sum"),
        potential_floor_area_m2=("potential_floor_area_m2", "sum")).reset_index()
    city.insert(0, "district_code", CITY)
    table = pd.concat([table, city], ignore_index=True)
    order = {c: i for i, c in enumerate([*pack.categories, ANY])}
    table = table.sort_values(["district_code", "category", "land_class"],
                              key=lambda s: s.map(order) if s.name == "category" else s)
    names = {**{k: v.zh for k, v in pack.categories.items()}, ANY: "低效用地(去重)"}
    table.insert(1, "district_name", table["district_code"].map(
        lambda c: pack.districts.get(c, c)))
    table.insert(3, "category_name", table["category"].map(names))
    table["land_class_name"] = table["land_class"].map(
        lambda c: pack.land_classes[c].zh if c in pack.land_classes else c)
    cols = ["district_code", "district_name", "category", "category_name", "land_class",
            "land_class_name", "parcels", "area_mu", "potential_floor_area_m2"]
    return table[cols].reset_index(drop=True)


def district_indicators(result: pd.DataFrame, pack: RulePack) -> pd.DataFrame:
    """Low-efficiency share of construction land and per-mu tax/output/investment."""
    cons = _construction(result, pack)
    d = pd.DataFrame({"district_code": _district(result).to_numpy()[cons],
                      "area_mu": result["area_mu"].to_numpy()[cons],
                      "low": result["is_low_efficiency"].to_numpy(dtype=bool)[cons]})
    for money, name in (("tax_10k_yuan", "tax"), ("output_10k_yuan", "output"),
                        ("investment_10k_yuan", "investment")):
        v = (result[money].to_numpy("float64", na_value=np.nan)[cons] if money in result.columns
             else np.full(int(cons.sum()), np.nan))
        d[name] = v
        d[f"{name}_area"] = np.where(np.isnan(v), 0.0, d["area_mu"])
    d["low_area"] = np.where(d["low"], d["area_mu"], 0.0)

    def agg(g: pd.DataFrame) -> dict[str, float]:
        area = g["area_mu"].sum()
        out = {"construction_area_mu": area, "low_efficiency_area_mu": g["low_area"].sum(),
               "low_efficiency_share": g["low_area"].sum() / area if area > 0 else np.nan}
        for name in ("tax", "output", "investment"):
            a = g[f"{name}_area"].sum()
            out[f"{name}_per_mu"] = g[name].sum(min_count=1) / a if a > 0 else np.nan
        return out

    rows = [{"district_code": k, **agg(g)} for k, g in d.groupby("district_code", sort=True)]
    rows.append({"district_code": CITY, **agg(d)})
    table = pd.DataFrame(rows)
    table.insert(1, "district_name", table["district_code"].map(
        lambda c: pack.districts.get(c, c)))
    return table


def disposal_rates(start: pd.DataFrame, end: pd.DataFrame, area_mu: pd.Series,
                   district: pd.Series, year: int,
                   flags: tuple[str, ...] = ("approved_not_supplied", "idle")) -> pd.DataFrame:
    """Yearly disposal rate per district and flag from the flags at the year start and at the
    evaluation date (see :data:`DISPOSAL_FORMULA`)."""
    rows = []
    area = area_mu.to_numpy("float64")
    dist = district.to_numpy(dtype=object)
    for flag in flags:
        was = codes.has(start["flags"], flag)
        now = codes.has(end["flags"], flag)
        frame = pd.DataFrame({"district_code": dist, "stock": np.where(was, area, 0.0),
                              "added": np.where(now & ~was, area, 0.0),
                              "disposed": np.where(was & ~now, area, 0.0)})
        groups = [*frame.groupby("district_code", sort=True), (CITY, frame)]
        for code, g in groups:
            base = g["stock"].sum() + g["added"].sum()
            rows.append({"district_code": code, "year": year, "flag": flag,
                         "stock_start_mu": g["stock"].sum(), "added_mu": g["added"].sum(),
                         "disposed_mu": g["disposed"].sum(),
                         "disposal_rate": g["disposed"].sum() / base if base > 0 else np.nan})
    return pd.DataFrame(rows)


def notes() -> pd.DataFrame:
    return pd.DataFrame({"item": ["低效用地占比", "亩均指标", "年度处置率", "多类型地块"],
                         "formula": [SHARE_FORMULA, PER_MU_FORMULA, DISPOSAL_FORMULA,
                                     "同时属于多个低效类型的地块在各类型中分别计数；类型 any 行按地块去重计数"]})


def year_start(as_of: dt.date) -> dt.date:
    return dt.date(as_of.year, 1, 1)
