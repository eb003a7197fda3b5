"""Canonical parcel fields (标准字段): the names other modules and users rely on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # code | text | float | int | money | date | grade | ratio
    label_zh: str
    label_en: str
    sensitive: bool = False


PARCEL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("parcel_code", "code", "宗地代码", "parcel code"),
    FieldSpec("district_code", "code", "行政区代码", "district code"),
    FieldSpec("land_use", "code", "用地现状分类", "current land use"),
    FieldSpec("planned_use", "code", "规划用途", "planned use"),
    FieldSpec("planned_far", "float", "规划容积率", "planned FAR"),
    FieldSpec("floor_area_m2", "float", "建筑面积(㎡)", "floor area (m²)"),
    FieldSpec("footprint_m2", "float", "建筑基底面积(㎡)", "building footprint (m²)"),
    FieldSpec("building_year", "int", "建成年份", "building year"),
    FieldSpec("safety_grade", "grade", "房屋安全等级", "building safety grade"),
    FieldSpec("industry_code", "code", "行业代码", "industry code (GB/T 4754)"),
    FieldSpec("tax_10k_yuan", "money", "税收(万元)", "tax (10k yuan)", sensitive=True),
    FieldSpec("output_10k_yuan", "money", "产值(万元)", "output (10k yuan)", sensitive=True),
    FieldSpec("investment_10k_yuan", "money", "投资(万元)", "investment (10k yuan)", sensitive=True),
    FieldSpec("approved_on", "date", "批准日期", "approved on"),
    FieldSpec("supplied_on", "date", "供地日期", "supplied on"),
    FieldSpec("agreed_start_on", "date", "约定开工日期", "agreed start date"),
    FieldSpec("started_on", "date", "实际开工日期", "actual start date"),
    FieldSpec("developed_ratio", "ratio", "已开发面积比例", "developed share"),
    FieldSpec("invested_ratio", "ratio", "已投资比例", "invested share"),
    FieldSpec("stopped_since", "date", "停工日期", "stopped since"),
    FieldSpec("right_holder", "text", "权利人", "right holder", sensitive=True),
)

FIELDS_BY_NAME = {f.name: f for f in PARCEL_FIELDS}
CANONICAL = tuple(f.name for f in PARCEL_FIELDS)
ATTRIBUTE_FIELDS = CANONICAL[1:]
DATE_FIELDS = tuple(f.name for f in PARCEL_FIELDS if f.kind == "date")
MONEY_FIELDS = tuple(f.name for f in PARCEL_FIELDS if f.kind == "money")
SENSITIVE_FIELDS = tuple(f.name for f in PARCEL_FIELDS if f.sensitive)

#: Chinese names of the columns the platform computes and writes beside the canonical fields
#: (areas, version stamps, the latest evaluation): a file carrying them (an export read back)
#: has them dropped, never kept as extra attributes.
COMPUTED_LABELS_ZH = {
    "area_m2": "面积(㎡)", "area_mu": "面积(亩)", "area_ha": "面积(公顷)", "version": "版本",
    "valid_from": "版本生效时间", "changed_by": "变更人", "is_low_efficiency": "是否低效用地",
    "categories": "低效类型", "flags": "其他标识", "bbox": "外包框",
}
