"""Synthetic survey attributes of demo parcels (地块调查属性), vectorised with numpy.

Land-use codes follow the national land and sea use classification (国土空间调查、规划、用途管制
用地用海分类指南): 1001 工业用地 (100101 一类, 100102 二类), 1002 采矿用地, 0701 城镇住宅用地,
0703 农村宅基地, 0801 机关团体用地, 0804 教育用地, 0901 商业用地, 1101 物流仓储用地.
Industry codes are GB/T 4754-2017 four-digit classes (国民经济行业分类).
"""

from __future__ import annotations

import numpy as np
from numpy.dtypes import StringDType

REFERENCE_DATE = np.datetime64("2026-06-30")
INDUSTRIAL = ("1001", "100101", "100102")
ENTERPRISE = (*INDUSTRIAL, "1002", "1101", "0901")

#: land use per cluster group (order of ``_layout.GROUPS``): codes and probabilities.
GROUP_USES: tuple[tuple[tuple[str, ...], tuple[float, ...]], ...] = (
    (("1001", "100101", "100102", "1101", "0901"), (0.39, 0.17, 0.31, 0.09, 0.04)),
    (("0701", "0901", "0801", "0804", "1101"), (0.58, 0.22, 0.07, 0.11, 0.02)),
    (("0703",), (1.0,)),
    (("1002",), (1.0,)),
)
#: rectangle side factors (share of the cell side) per land use.
SIDE_FACTORS: dict[str, tuple[float, float]] = {
    "0701": (0.7, 0.92), "0703": (0.6, 0.85), "0901": (0.45, 0.9), "0801": (0.5, 0.9),
    "0804": (0.55, 0.9), "1002": (0.55, 0.9),
}
DEFAULT_SIDES = (0.6, 0.9)

#: GB/T 4754 class → (trade word for names, weight); the last five are typical "obsolete" ones.
INDUSTRIES: dict[str, tuple[str, float]] = {
    "3381": ("五金制品", 0.16), "3761": ("摩托车配件", 0.06), "3670": ("汽车零部件", 0.08),
    "3311": ("钢结构", 0.07), "3130": ("钢材", 0.05), "3851": ("电器", 0.08),
    "3891": ("电气设备", 0.05), "3985": ("电子材料", 0.05), "3841": ("新能源电池", 0.04),
    "2927": ("塑料制品", 0.08), "2110": ("家具", 0.06), "1951": ("鞋业", 0.04),
    "2231": ("包装材料", 0.04), "2614": ("化工", 0.03), "1713": ("印染", 0.03),
    "3360": ("表面处理", 0.03), "2211": ("纸业", 0.02), "3011": ("水泥", 0.015),
    "3216": ("有色金属", 0.01),
}
OBSOLETE_INDUSTRIES = ("1713", "3360", "2211", "3011", "3216")

CITY_PREFIX = {
    "440703": "江门市", "440704": "江门市", "440705": "江门市新会区", "440781": "台山市",
    "440783": "开平市", "440784": "鹤山市", "440785": "恩平市",
}
_ZIHAO = list("华利兴盛达宏鑫源恒通丰泰联嘉富永广新金海江东顺昌荣德信安鸿骏锦瑞祥辉粤侨邑众")
_SURNAMES = ["陈", "李", "黄", "梁", "余", "谭", "关", "司徒", "甄", "伍", "邝", "林", "吴",
             "张", "刘", "何", "冯", "区", "周", "朱"]
_GIVEN = list("伟强明华志国永建文杰俊丽芳敏秀英玉兰辉锦荣德彬嘉健")
_PLACE = list("沙塘冲坑湾田岗龙凤石乐安水东西南北大小新旧上下良平")
S = StringDType()


def _pick(rng: np.random.Generator, words: list[str] | tuple[str, ...], size: int) -> np.ndarray:
    return np.asarray(words, dtype=S)[rng.integers(0, len(words), size)]


def _cat(*parts: np.ndarray | str) -> np.ndarray:
    out = np.asarray(parts[0], dtype=S)
    for p in parts[1:]:
        out = np.strings.add(out, np.asarray(p, dtype=S))
    return out


def assign_land_use(rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
    """Land-use code per parcel, drawn from its cluster group's mix."""
    out = np.empty(len(group), dtype="U6")
    for g, (codes, probs) in enumerate(GROUP_USES):
        sel = np.flatnonzero(group == g)
        out[sel] = np.asarray(codes)[rng.choice(len(codes), size=len(sel), p=probs)]
    return out


def side_factors(rng: np.random.Generator, land_use: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo = np.full(len(land_use), DEFAULT_SIDES[0])
    hi = np.full(len(land_use), DEFAULT_SIDES[1])
    for code, (a, b) in SIDE_FACTORS.items():
        sel = land_use == code
        lo[sel], hi[sel] = a, b
    return rng.uniform(lo, hi), rng.uniform(lo, hi)


def _days(rng: np.random.Generator, lo: float, hi: float, size: int) -> np.ndarray:
    return rng.uniform(lo, hi, size).astype("int64").astype("timedelta64[D]")


def _status(rng: np.random.Generator, lu: np.ndarray) -> np.ndarray:
    """0 built, 1 idle (供而未建), 2 started then stopped (停工), 3 approved not supplied (批而未供)."""
    eligible = ~np.isin(lu, ("0703", "1002"))
    r = rng.random(len(lu))
    status = np.zeros(len(lu), dtype=np.int8)
    status[eligible & (r < 0.035)] = 1
    status[eligible & (r >= 0.035) & (r < 0.055)] = 2
    status[eligible & (r >= 0.055) & (r < 0.085)] = 3
    return status


def _years(rng: np.random.Generator, lu: np.ndarray) -> np.ndarray:
    n = len(lu)
    lo = np.full(n, 1975.0)
    hi = np.full(n, 2024.0)
    a, b = np.full(n, 2.0), np.full(n, 2.0)
    for codes, (y0, y1, aa, bb) in {
        ("0703",): (1975, 2024, 1.3, 1.6), INDUSTRIAL: (1985, 2022, 2.0, 2.0),
        ("0701", "0901"): (1990, 2024, 2.0, 1.5), ("1101",): (1995, 2024, 2.0, 1.5),
        ("1002",): (1980, 2015, 1.5, 1.5),
    }.items():
        sel = np.isin(lu, codes)
        lo[sel], hi[sel], a[sel], b[sel] = y0, y1, aa, bb
    return np.floor(lo + rng.beta(a, b) * (hi - lo + 0.999)).astype(np.int64)


def _intensity(rng: np.random.Generator, lu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Floor-area ratio (容积率) and building coverage (建筑密度) of built parcels."""
    n = len(lu)
    cov = rng.uniform(0.15, 0.4, n)
    far = rng.uniform(0.5, 2.0, n)
    ind = np.isin(lu, INDUSTRIAL)
    cov[ind] = rng.normal(0.40, 0.12, ind.sum())
    far[ind] = rng.lognormal(np.log(1.1), 0.45, ind.sum())
    for code, (c0, c1, f_med, f_sig) in {
        "1101": (0.35, 0.6, 0.9, 0.35), "0701": (0.15, 0.35, 2.2, 0.3),
        "0901": (0.3, 0.6, 2.0, 0.4), "1002": (0.15, 0.3, 0.25, 0.1),
    }.items():
        sel = lu == code
        cov[sel] = rng.uniform(c0, c1, sel.sum())
        far[sel] = rng.lognormal(np.log(f_med), f_sig, sel.sum())
    home = lu == "0703"
    cov[home] = rng.uniform(0.5, 0.7, home.sum())
    far[home] = cov[home] * rng.choice([1, 2, 3, 4], home.sum(), p=[0.2, 0.35, 0.35, 0.1])
    cov = np.clip(cov, 0.15, 0.7)
    far = np.clip(np.maximum(far, cov), 0.3, 3.5)
    return far, cov


def _planned(rng: np.random.Generator, lu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(lu)
    planned = lu.astype(object)
    r = rng.random(n)
    alt = {INDUSTRIAL: ("0701", "0901", "1101", "0804"), ("0701",): ("0901", "0804"),
           ("0703",): ("0701", "0901"), ("0901",): ("0701",), ("1101",): ("1001", "0901"),
           ("1002",): ("1001",), ("0801", "0804"): ("0701", "0901")}
    for codes, options in alt.items():
        sel = np.flatnonzero(np.isin(lu, codes) & (r < 0.08))
        planned[sel] = np.asarray(options, dtype=object)[rng.integers(0, len(options), sel.size)]
    planned[r > 0.95] = None
    pfar = rng.uniform(1.0, 2.5, n)
    pcode = np.where(planned == None, "", planned).astype("U6")  # noqa: E711
    ind = np.isin(pcode, INDUSTRIAL)
    pfar[ind] = rng.choice([1.2, 1.5, 2.0, 2.5, 3.0], ind.sum())
    pfar[pcode == "0701"] = rng.uniform(2.0, 3.5, (pcode == "0701").sum())
    pfar[pcode == "0901"] = rng.uniform(2.0, 4.0, (pcode == "0901").sum())
    pfar[np.isin(pcode, ("0703", "1002", "")) | (rng.random(n) < 0.1)] = np.nan
    return planned, np.round(pfar, 1)


def _grades(rng: np.random.Generator, year: np.ndarray) -> np.ndarray:
    """Building safety grade (房屋安全鉴定等级 A–D): older buildings more often C/D."""
    age = 2026 - year
    p_cd = np.clip(0.02 + (age - 10) * 0.009, 0.02, 0.5)
    p_a = np.clip(0.8 - age * 0.012, 0.2, 0.8)
    r = rng.random(len(year))
    r2 = rng.random(len(year))
    bad = r < p_cd
    grade = np.where(r2 < p_a, "A", "B").astype(object)
    grade[bad] = np.where(r2[bad] < 0.25 + 0.004 * age[bad], "D", "C")
    return grade


def parcel_attributes(rng: np.random.Generator, lu: np.ndarray, area_m2: np.ndarray,
                      district_code: np.ndarray, district_name: np.ndarray) -> dict[str, object]:
    """All non-geometry attribute columns except ``parcel_code`` (numpy / object arrays)."""
    n = len(lu)
    status = _status(rng, lu)
    built = status == 0
    vacant = (status == 1) | (status == 3)
    year = _years(rng, lu)
    ref = REFERENCE_DATE
    # Land supply chain (批 → 供 → 约定开工 → 实际开工) for built parcels with a record.
    record = built & ~np.isin(lu, ("0703",)) & ((year >= 1990) | (rng.random(n) < 0.3))
    record &= rng.random(n) < 0.9
    year_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    started = year_start - _days(rng, 30, 700, n)
    agreed = started - _days(rng, 0, 300, n)
    # Idle land (闲置土地): agreed start passed without starting, 3 bands of overdue time.
    band = rng.choice([0, 1, 2], n, p=[0.5, 0.3, 0.2])
    lo = np.array([731, 366, 30])[band]
    hi = np.array([2200, 730, 365])[band]
    idle_agreed = ref - rng.uniform(lo, hi).astype("int64").astype("timedelta64[D]")
    stop_agreed = ref - _days(rng, 1500, 3500, n)
    agreed = np.where(status == 1, idle_agreed, np.where(status == 2, stop_agreed, agreed))
    supplied = agreed - _days(rng, 90, 365, n)
    started = np.where(status == 2, agreed + _days(rng, 0, 400, n), started)
    approved = supplied - _days(rng, 30, 400, n)
    approved = np.where(status == 3, ref - _days(rng, 200, 3500, n), approved)
    stopped = started + _days(rng, 60, 700, n)
    stopped = np.minimum(stopped, ref - np.timedelta64(400, "D"))
    nat = np.datetime64("NaT")
    has_supply = record | (status == 1) | (status == 2)
    approved = np.where(has_supply | (status == 3), approved, nat)
    supplied = np.where(has_supply, supplied, nat)
    agreed = np.where(has_supply, agreed, nat)
    started = np.where(record | (status == 2), started, nat)
    stopped = np.where(status == 2, stopped, nat)
    year = np.where(status == 2, started.astype("datetime64[Y]").astype(int) + 1970, year)
    far, cov = _intensity(rng, lu)
    cov[status == 2] = rng.uniform(0.02, 0.1, (status == 2).sum())
    far[status == 2] = cov[status == 2] * rng.uniform(1.0, 2.0, (status == 2).sum())
    far[vacant] = 0.0
    cov[vacant] = 0.0
    developed = np.where(record, np.where(rng.random(n) < 0.1, rng.uniform(0.5, 0.95, n), 1.0),
                         np.nan)
    invested = np.clip(developed + rng.normal(0, 0.05, n), 0, 1)
    developed[status == 1] = 0.0
    invested[status == 1] = rng.uniform(0.0, 0.1, (status == 1).sum())
    developed[status == 2] = rng.uniform(0.05, 0.3, (status == 2).sum())
    invested[status == 2] = rng.uniform(0.05, 0.25, (status == 2).sum())
    invested[np.isnan(developed)] = np.nan

    planned, pfar = _planned(rng, lu)
    ind = np.isin(lu, INDUSTRIAL)
    codes = np.asarray(list(INDUSTRIES), dtype=object)
    weights = np.array([w for _, w in INDUSTRIES.values()])
    ic = rng.choice(len(codes), n, p=weights / weights.sum())
    # None as a 0-d object array (what np.where makes of it; the numpy stubs take no bare None)
    industry = np.where(ind & (status != 3), codes[ic], np.array(None))

    # Economic figures (亩均税收/产出/投资), 万元 per parcel; NaN for non-enterprise land.
    mu = area_m2 * 15.0 / 10000.0
    z = rng.normal(0, 1, n) + 0.6 * np.log(np.maximum(far, 0.3) / 1.1)
    econ = np.isin(lu, ENTERPRISE) & ~vacant & (rng.random(n) >= 0.15)
    damp = np.where(status == 2, 0.1, 1.0)
    tax = np.clip(np.exp(np.log(8.0) + 0.9 * (z + rng.normal(0, 0.3, n))), 0.5, 60) * mu * damp
    out = np.clip(np.exp(np.log(350.0) + 0.75 * (z + rng.normal(0, 0.3, n))), 50, 2000) * mu * damp
    inv = np.clip(np.exp(np.log(300.0) + 0.4 * (z + rng.normal(0, 0.5, n))), 100, 800) * mu
    tax, out, inv = (np.where(econ, np.round(v, 2), np.nan) for v in (tax, out, inv))

    grade = _grades(rng, year)
    grade[vacant] = None
    holder = _holders(rng, lu, ic, district_code, district_name)
    holder[status == 3] = None

    def dates(a: np.ndarray) -> np.ndarray:
        return a.astype("datetime64[D]").astype(object)

    return {
        "land_use": lu.astype(object),
        "planned_use": planned,
        "planned_far": pfar,
        "floor_area_m2": np.round(far * area_m2, 1),
        "footprint_m2": np.round(cov * area_m2, 1),
        "building_year": np.where(vacant, -1, year),
        "safety_grade": grade,
        "industry_code": industry,
        "tax_10k_yuan": tax,
        "output_10k_yuan": out,
        "investment_10k_yuan": inv,
        "approved_on": dates(approved),
        "supplied_on": dates(supplied),
        "agreed_start_on": dates(agreed),
        "started_on": dates(started),
        "stopped_since": dates(stopped),
        "developed_ratio": np.round(developed, 3),
        "invested_ratio": np.round(invested, 3),
        "right_holder": holder,
    }


def _holders(rng: np.random.Generator, lu: np.ndarray, ic: np.ndarray, dcode: np.ndarray,
             dname: np.ndarray) -> np.ndarray:
    """Plausible right holders (权利人): companies, villagers' committees, people, agencies."""
    n = len(lu)
    prefix = np.asarray([CITY_PREFIX.get(c, "") for c in np.unique(dcode)], dtype=S)
    prefix = prefix[np.searchsorted(np.unique(dcode), dcode)]
    prefix = np.where(np.strings.str_len(prefix) == 0, np.asarray(dname, dtype=S), prefix)
    zihao = _cat(_pick(rng, _ZIHAO, n), _pick(rng, _ZIHAO, n))
    trade = np.asarray([w for w, _ in INDUSTRIES.values()], dtype=S)[ic]
    suffix = np.asarray(["有限公司", "有限公司", "有限公司", "股份有限公司", "厂"], dtype=S)
    suffix = suffix[rng.integers(0, len(suffix), n)]
    company = _cat(prefix, zihao, trade, suffix)
    village = _cat(_pick(rng, _PLACE, n), _pick(rng, _PLACE, n), "村民委员会")
    person = _cat(_pick(rng, _SURNAMES, n), _pick(rng, _GIVEN, n),
                  np.where(rng.random(n) < 0.6, _pick(rng, _GIVEN, n), np.asarray("", dtype=S)))
    kind_word = {"1101": "物流", "0901": "商贸", "1002": "矿业", "0701": "房地产开发"}
    out = company.copy()
    for code, word in kind_word.items():
        sel = lu == code
        out[sel] = _cat(prefix[sel], zihao[sel], word, "有限公司")
    collective = np.isin(lu, INDUSTRIAL) & (rng.random(n) < 0.12)
    out[collective] = village[collective]
    house = (lu == "0703") | ((lu == "0701") & (rng.random(n) < 0.3))
    out[house] = person[house]
    gov = lu == "0801"
    town = _cat(_pick(rng, _PLACE, n), _pick(rng, _PLACE, n))
    out[gov] = _cat(np.asarray(dname, dtype=S)[gov], town[gov], "镇人民政府")
    school = lu == "0804"
    out[school] = _cat(np.asarray(dname, dtype=S)[school], town[school],
                       np.where(rng.random(int(school.sum())) < 0.5, "中学", "小学"))
    return out.astype(object)
