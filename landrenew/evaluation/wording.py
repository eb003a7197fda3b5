"""A reason said as staff say it (认定理由的表述): the rule's own message from its pack, then the
measure with its name, its value and the threshold in their units (覆盖率 25.3 % < 30 %), then
the clause — instead of ``coverage = 0.253 < 0.3``.

Pure: the callers give the reason (as the engine stores it) and the rule's message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from landrenew.land.fields import FIELDS_BY_NAME
from landrenew.land.zones import ZONE_KINDS

#: What each measure a rule compares is called, and how its values read: ratio (shown as a
#: percentage), mu, m2, years, wan_per_mu (万元/亩), number, flag (是/否) or code.
MEASURES: dict[str, tuple[str, str, str]] = {
    "area_mu": ("宗地面积", "parcel area", "mu"),
    "area_m2": ("宗地面积", "parcel area", "m2"),
    "far": ("容积率", "floor-area ratio", "number"),
    "coverage": ("建筑密度", "building coverage", "ratio"),
    "tax_per_mu": ("亩均税收", "tax per mu", "wan_per_mu"),
    "output_per_mu": ("亩均产值", "output per mu", "wan_per_mu"),
    "investment_per_mu": ("亩均投资", "investment per mu", "wan_per_mu"),
    "building_age": ("建筑年限", "building age", "years"),
    "years_past_agreed_start": ("超过约定开工日期", "past the agreed start", "years"),
    "years_stopped": ("停工时间", "stopped for", "years"),
    "developed_ratio": ("已开发面积比例", "developed share", "ratio"),
    "invested_ratio": ("已投资比例", "invested share", "ratio"),
    "planned_class": ("规划用途", "planned use", "code"),
    "land_class": ("用地类别", "land class", "code"),
    "approved": ("已批准", "approved", "flag"),
    "supplied": ("已供地", "supplied", "flag"),
    "started": ("已开工", "started", "flag"),
}
OPS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}
LIST_OPS = {"in": ("属于", "is one of"), "not_in": ("不属于", "is none of"),
            "prefix_in": ("属于", "falls under")}


def measure(field: str, locale: str = "zh") -> tuple[str, str]:
    """(name, unit kind) of what a rule compares."""
    zh = locale.startswith("zh")
    if field in MEASURES:
        name_zh, name_en, kind = MEASURES[field]
        return (name_zh if zh else name_en), kind
    for prefix, kind, zh_form, en_form in (
            ("ratio_", "ratio", "位于{}内的面积占比", "share inside the {}"),
            ("overlap_m2_", "m2", "与{}重叠的面积", "area overlapping the {}")):
        if field.startswith(prefix):
            zone = field.removeprefix(prefix)
            name = ZONE_KINDS.get(zone, zone) if zh else zone.replace("_", " ")
            return (zh_form if zh else en_form).format(name), kind
    spec = FIELDS_BY_NAME.get(field)
    if spec is not None:
        return (spec.label_zh if zh else spec.label_en), "code" if spec.kind in (
            "code", "text", "grade") else "number"
    return field, "number"


def value_text(value: Any, kind: str, locale: str = "zh") -> str:
    """A value in its unit: 25.3 %, 2.35 亩, 1,200.0 m², 3.5 年, 12.50 万元/亩, 是."""
    zh = locale.startswith("zh")
    if value is None:
        return "（无数据）" if zh else "(no data)"
    if isinstance(value, list | tuple):
        return ("、" if zh else ", ").join(value_text(v, kind, locale) for v in value)
    if kind == "flag":
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if kind == "code" or isinstance(value, str):
        return str(value)
    number = float(value)
    if kind == "ratio":
        return f"{number * 100:,.1f} %"
    if kind == "mu":
        return f"{number:,.2f} {'亩' if zh else 'mu'}"
    if kind == "m2":
        return f"{number:,.1f} m²"
    if kind == "years":
        return f"{number:,.1f} {'年' if zh else 'years'}"
    if kind == "wan_per_mu":
        return f"{number:,.2f} {'万元/亩' if zh else '10k yuan/mu'}"
    return f"{number:,.2f}".rstrip("0").rstrip(".") if "." in f"{number:,.2f}" else f"{number:,}"


def comparison(reason: Mapping[str, Any], locale: str = "zh") -> str:
    """The measure, its value, the comparison and the threshold: 建筑密度 25.3 % < 30.0 %."""
    name, kind = measure(str(reason.get("field")), locale)
    op = str(reason.get("op", ""))
    negated = op.startswith("not ")
    bare = op.removeprefix("not ")
    value = value_text(reason.get("value"), kind, locale)
    threshold = value_text(reason.get("threshold"), kind, locale)
    if reason.get("other"):
        other_name, _ = measure(str(reason["other"]), locale)
        threshold = f"{other_name} {threshold}"
    zh = locale.startswith("zh")
    if bare in LIST_OPS:
        said = LIST_OPS[bare][0 if zh else 1]
        text = f"{name} {value} {said} {threshold}"
    else:
        text = f"{name} {value} {OPS.get(bare, bare)} {threshold}"
    if negated:
        text = f"{'并非' if zh else 'not: '}{text}"
    if reason.get("note") and zh:
        text += f"（{reason['note']}）"
    elif reason.get("basis") == "local_initial" and not zh:
        text += " (the city's initial parameter, to be confirmed)"
    return text


def reason_lines(reasons: Sequence[Mapping[str, Any]], messages: Mapping[str, str],
                 locale: str = "zh") -> list[dict[str, Any]]:
    """The reasons of a parcel grouped by rule: the rule's message (from its pack), each
    comparison that made it fire, and the clause."""
    out: list[dict[str, Any]] = []
    by_rule: dict[str, dict[str, Any]] = {}
    for r in reasons:
        rule = str(r.get("rule"))
        line = by_rule.get(rule)
        if line is None:
            line = by_rule[rule] = {"rule": rule, "category": r.get("category"),
                                    "flag": r.get("flag"), "message": messages.get(rule, rule),
                                    "clause": r.get("clause"), "tests": []}
            out.append(line)
        line["tests"].append(comparison(r, locale))
    return out
