"""The fields of a compliance request (审查申请字段): their names, types and units, which kinds
use them, and reading a request's raw values (JSON, a form, a sheet row) into typed facts.

Booleans accept ``true``/``false``, ``是``/``否``, ``1``/``0`` (and a spreadsheet's own TRUE and
FALSE); numbers are read exactly as :class:`~decimal.Decimal` (a price given as a JSON float is
refused, as money always is); days are ``YYYY-MM-DD`` (or a spreadsheet date). A sheet's header
may name a field by its code or by its Chinese name. Vocabulary fields (``industry``, ``use``,
``function_area``) are kept as the text given: the pack's word lists decide what they mean.

Reading never refuses the whole request: each value that cannot be read becomes a
:class:`Problem` naming its field, and the decision is then ``invalid``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from landrenew.core import places
from landrenew.core.errors import InputError
from landrenew.finance.money import parse_decimal

FieldType = Literal["bool", "number", "money", "ratio", "date", "text", "choice", "district"]


@dataclass(frozen=True)
class Spec:
    """A request field: its code, Chinese and English names, type and unit."""

    name: str
    zh: str
    en: str
    type: FieldType
    unit: str = ""
    choices: tuple[tuple[str, str, str], ...] = ()  # (code, zh, en) of a ``choice`` field


CASES: tuple[tuple[str, str, str], ...] = (
    ("road", "农村道路", "rural road"),
    ("landscape", "生态景观、栈道、观景平台", "eco-landscape, boardwalk, viewing platform"),
    ("toilet_parking", "公共厕所和停车场", "public toilet and car park"),
    ("camp", "自驾车旅居车营地", "self-drive and RV camp"),
    ("pv", "光伏、风力发电", "photovoltaic and wind power"),
    ("mine_tourism", "矿山修复后的旅游设施", "tourism on restored mine land"),
)
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("array", "光伏方阵用地", "PV array"),
    ("collector_line", "集电线路用地", "collector line"),
)

SPECS: dict[str, Spec] = {s.name: s for s in (
    Spec("district_code", "行政区", "district", "district"),
    Spec("reference", "申请编号或名称", "reference", "text"),
    # point supply
    Spec("industry", "产业类型", "industry", "text"),
    Spec("area_mu", "建设用地总面积", "construction land area", "number", "亩"),
    Spec("inside_udb_ratio", "城镇开发边界内面积占比", "share inside the urban development boundary",
         "ratio"),
    Spec("scattered", "零星、分散", "scattered", "bool"),
    Spec("planning_conditions", "已取得规划条件", "planning conditions issued", "bool"),
    Spec("benchmark_price", "基准地价", "benchmark land price", "money", "元/㎡"),
    Spec("floor_price", "出让底价", "floor price", "money", "元/㎡"),
    # industry integration
    Spec("project_area_mu", "项目整体用地面积", "whole project land", "number", "亩"),
    Spec("support_area_mu", "配套设施建设用地面积", "supporting construction land", "number", "亩"),
    Spec("far", "容积率", "floor-area ratio", "number"),
    Spec("far_exception_reason", "容积率例外理由", "reason for a lower FAR", "text"),
    Spec("use", "用途", "use", "text"),
    Spec("split_transfer", "分割转让转租", "split transfer or sublease", "bool"),
    Spec("term_years", "使用年限", "term", "number", "年"),
    Spec("priority_industry", "优先发展产业或农林牧渔业产品初加工", "priority industry or primary "
         "agri-processing", "bool"),
    Spec("national_min_price", "全国工业用地出让最低价标准", "national industrial minimum price",
         "money", "元/㎡"),
    Spec("actual_cost", "实际土地取得、前期开发成本及相关费用之和", "actual costs and fees",
         "money", "元/㎡"),
    # exemptions
    Spec("case", "情形", "case", "choice", choices=CASES),
    Spec("width_m", "宽度", "width", "number", "米"),
    Spec("area_m2", "面积", "area", "number", "㎡"),
    Spec("hardened", "固化地面", "hardened ground", "bool"),
    Spec("uses_cultivated", "占用耕地", "uses cultivated land", "bool"),
    Spec("uses_permanent_farmland", "占用永久基本农田", "uses permanent basic farmland", "bool"),
    Spec("in_national_network", "属国家公路网络", "in the national road network", "bool"),
    Spec("serves_farming", "主要服务于农村农业生产", "serves farming", "bool"),
    Spec("in_balance_plan", "已纳入耕地进出平衡总体方案", "in the in/out balance plan", "bool"),
    Spec("on_unused_land", "使用未利用地", "on unused land", "bool"),
    Spec("changes_use", "改变农用地或未利用地用途", "changes the land's use", "bool"),
    Spec("outside_town_planning_area", "位于城镇规划区外", "outside the town planning area", "bool"),
    Spec("function_area", "功能区", "function area", "text"),
    Spec("component", "用地部分", "component", "choice", choices=COMPONENTS),
    Spec("presses_ground", "占压土地", "presses the ground", "bool"),
    Spec("changes_surface", "改变地表形态", "changes the surface", "bool"),
    Spec("cable_buried", "直埋电缆敷设", "cable buried directly", "bool"),
    Spec("restored_mine", "矿山修复后的土地", "restored mine land", "bool"),
    Spec("permanent_facility", "永久性设施", "permanent facility", "bool"),
    Spec("ecological_harm", "破坏生态环境或自然景观", "ecological or landscape harm", "bool"),
    Spec("geological_harm", "影响地质安全", "affects geological safety", "bool"),
    # rural housing
    Spec("in_hazard_area", "位于地质灾害隐患点、风险点", "in a geological hazard area", "bool"),
    # homestead
    Spec("built_on", "建成日期", "completed on", "date"),
    Spec("plan_conforming", "符合相关规划", "conforms to the plans", "bool"),
    Spec("legal_source", "有合法的宅基地使用权来源材料", "legal source of the homestead right",
         "bool"),
    Spec("eligible", "具备建房资格", "eligible to build", "bool"),
    Spec("one_household", "符合一户一宅", "one household, one homestead", "bool"),
    Spec("within_area_standard", "符合建房面积标准", "within the area standard", "bool"),
    # renovation
    Spec("permits_complete", "原规划许可手续齐全", "original permits complete", "bool"),
    Spec("area_changed", "增加建筑面积", "adds floor area", "bool"),
    Spec("height_changed", "增加总高度", "raises the total height", "bool"),
    Spec("floors_changed", "增加层数", "adds floors", "bool"),
    Spec("facade_changed", "修改外立面", "changes the façade", "bool"),
    Spec("safety_class_lowered", "降低建筑结构安全等级", "lowers the structural safety class",
         "bool"),
    Spec("use_changed", "改变使用性质", "changes the use", "bool"),
    # legacy land
    Spec("village", "行政村", "village", "text"),
    Spec("has_approval", "有合法用地手续", "has legal land-use procedures", "bool"),
    Spec("filed", "已完成用地备案", "land use filed", "bool"),
    Spec("conversion_done", "已完成转用征收手续", "conversion and expropriation done", "bool"),
    Spec("supply_done", "已完成土地供应手续", "land supply done", "bool"),
    Spec("construction_in_second_survey", "第二次全国土地调查为建设用地",
         "construction land in the second national land survey", "bool"),
)}

_COMMON = ("district_code", "reference")
#: The kinds of check and the fields each reads (beside the geometry).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "point_supply": (*_COMMON, "industry", "area_mu", "inside_udb_ratio", "scattered",
                     "planning_conditions", "benchmark_price", "floor_price"),
    "industry_integration": (*_COMMON, "project_area_mu", "support_area_mu", "far",
                             "far_exception_reason", "use", "split_transfer", "term_years",
                             "priority_industry", "national_min_price", "actual_cost",
                             "floor_price"),
    "exemption": (*_COMMON, "case", "width_m", "area_m2", "hardened", "uses_cultivated",
                  "uses_permanent_farmland", "in_national_network", "serves_farming",
                  "in_balance_plan", "on_unused_land", "changes_use", "scattered",
                  "outside_town_planning_area", "function_area", "component", "presses_ground",
                  "changes_surface", "cable_buried", "restored_mine", "permanent_facility",
                  "ecological_harm", "geological_harm"),
    "rural_housing_site": (*_COMMON, "in_hazard_area"),
    "homestead": (*_COMMON, "built_on", "plan_conforming", "legal_source", "eligible",
                  "one_household", "within_area_standard"),
    "renovation_permit": (*_COMMON, "permits_complete", "area_changed", "height_changed",
                          "floors_changed", "facade_changed", "safety_class_lowered",
                          "use_changed"),
    "legacy_land": (*_COMMON, "village", "has_approval", "filed", "conversion_done",
                    "supply_done", "construction_in_second_survey", "area_mu"),
}
#: Each kind's name (zh, en).
KIND_NAMES: dict[str, tuple[str, str]] = {
    "point_supply": ("点状供地", "point supply"),
    "industry_integration": ("农村一二三产业融合发展项目用地", "rural industry integration"),
    "exemption": ("免于办理用地手续情形", "exemption from conversion procedures"),
    "rural_housing_site": ("农房选址避让地质灾害", "rural house site and geological hazards"),
    "homestead": ("存量宅基地房屋确权", "homestead legalisation"),
    "renovation_permit": ("原有建筑改造规划许可", "renovation without a planning permit"),
    "legacy_land": ("农村历史遗留建设用地", "legacy construction land"),
}
#: The columns (and JSON keys) that carry a request's geometry: GeoJSON in the API, WKT or
#: lon/lat (EPSG:4490) in a sheet.
GEOMETRY_FIELDS = ("geometry", "wkt", "lon", "lat")

_TRUE = {"true", "是", "1", "yes"}
_FALSE = {"false", "否", "0", "no"}


def check_kind(kind: str) -> str:
    if kind not in KIND_FIELDS:
        raise InputError(f"unknown kind of check '{kind}' (known: {', '.join(KIND_FIELDS)})",
                         field="kind")
    return kind


def header_field(header: str) -> str | None:
    """The field a sheet column stands for: its code or its Chinese name; None if neither."""
    text = str(header).strip()
    if text in SPECS or text in GEOMETRY_FIELDS:
        return text
    for spec in SPECS.values():
        if text == spec.zh:
            return spec.name
    return None


@dataclass(frozen=True)
class Problem:
    """A value of a request that could not be read."""

    field: str
    value: Any
    message: str


@dataclass(frozen=True)
class Parsed:
    """A request read: the typed facts, and the values that could not be read."""

    facts: Mapping[str, Any]
    problems: tuple[Problem, ...] = ()
    ignored: tuple[str, ...] = field(default=())


def blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def read_value(spec: Spec, value: Any) -> Any:
    """One raw value as its field's type; :class:`InputError` naming the field when it cannot."""
    name = spec.name
    if spec.type == "bool":
        return _bool(value, name)
    if spec.type in ("number", "money", "ratio"):
        return _number(spec, value)
    if spec.type == "date":
        return _date(value, name)
    if spec.type == "district":
        return places.check_code(str(value).strip(), name)
    text = str(value).strip()
    if spec.type == "choice":
        for code, zh, en in spec.choices:
            if text.lower() in (code, zh, en.lower()):
                return code
        known = "、".join(f"{code}（{zh}）" for code, zh, _ in spec.choices)
        raise InputError(f"'{text}' is not one of {known}", field=name)
    return text


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text.endswith(".0") and text[:-2] in ("0", "1"):  # 1.0 from a spreadsheet
        text = text[:-2]
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"'{value}' is not a yes/no value (give true/false, 是/否 or 1/0)",
                     field=name)


def _number(spec: Spec, value: Any) -> Decimal:
    if isinstance(value, float) and spec.type != "money":
        value = repr(value)  # what was typed: 12.5 → "12.5", exactly
    text = value.strip() if isinstance(value, str) else value
    percent = spec.type == "ratio" and isinstance(text, str) and text.endswith("%")
    number = parse_decimal(text[:-1] if percent else text, field=spec.name)
    if percent:
        number = number / 100
    if number < 0:
        raise InputError(f"{value} is negative", field=spec.name)
    if spec.type == "ratio" and number > 1:
        raise InputError(f"{value} is more than 1 (a share: 0.3 or '30%')", field=spec.name)
    return number


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text[:10] if len(text) > 10 and text[10] in " T" else text)
    except ValueError:
        raise InputError(f"'{value}' is not a date (YYYY-MM-DD)", field=name) from None


def parse_request(kind: str, values: Mapping[str, Any], *, strict: bool) -> Parsed:
    """A request's raw values (by field code; geometry keys are left to the geometry reader)
    as typed facts. ``strict`` (the API) refuses a key the kind does not read (422, naming it);
    otherwise (a sheet, a form) such keys are kept aside in ``ignored``."""
    check_kind(kind)
    known = KIND_FIELDS[kind]
    facts: dict[str, Any] = {}
    problems: list[Problem] = []
    ignored: list[str] = []
    for key, raw in values.items():
        if key in GEOMETRY_FIELDS:
            continue
        if key not in known:
            if strict:
                raise InputError(f"a {kind} check has no field '{key}' (fields: "
                                 f"{', '.join((*known, 'geometry'))})", field=key)
            ignored.append(key)
            continue
        if blank(raw):
            continue
        try:
            facts[key] = read_value(SPECS[key], raw)
        except InputError as exc:
            problems.append(Problem(key, raw, exc.message))
    return Parsed(facts, tuple(problems), tuple(ignored))
