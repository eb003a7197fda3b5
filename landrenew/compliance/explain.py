"""A decision said in words (审查理由): each reason of a stored check as a sentence in Chinese (or
English) — the field's name, the value with its unit, the comparison, the threshold, met or not —
for the pages and the result sheet's ``summary`` column. The clause stays beside it, quoted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from landrenew.compliance.decisions import DECISIONS, KIND_DECISIONS, OPS_ZH
from landrenew.compliance.fields import SPECS

OPS_EN = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "==": "must be",
          "!=": "must not be", "in": "one of", "not_in": "none of", "known": "to be given",
          "readable": "unreadable"}
#: How a day is compared (zh, en).
DAY_OPS = {"<": ("早于", "before"), "<=": ("不晚于", "on or before"), ">": ("晚于", "after"),
           ">=": ("不早于", "on or after")}
#: Zone layers as the reasons name them.
LAYERS = {"urban_development_boundary": ("城镇开发边界", "urban development boundary"),
          "permanent_basic_farmland": ("永久基本农田", "permanent basic farmland"),
          "geological_hazard": ("地质灾害隐患点/区", "geological hazard areas")}
_MAP_FIELD_LAYER = {"inside_udb_ratio": "urban_development_boundary",
                    "uses_permanent_farmland": "permanent_basic_farmland",
                    "in_hazard_area": "geological_hazard"}


def label(field: str, locale: str = "zh") -> str:
    spec = SPECS.get(field)
    if spec is None:
        return {"geometry": "位置（几何）", "wkt": "位置（WKT）", "lon": "经纬度",
                "lat": "经纬度"}.get(field, field) if locale != "en" else field
    return spec.en if locale == "en" else spec.zh


def value_text(field: str, value: Any, locale: str = "zh") -> str:
    """A value as a person reads it: 是/否, numbers with separators and the field's unit, lists
    joined, choices by name."""
    zh = locale != "en"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, (list, tuple)):
        return ("、" if zh else ", ").join(str(v) for v in value)
    spec = SPECS.get(field)
    if spec is not None and spec.type == "choice":
        for code, name_zh, name_en in spec.choices:
            if value == code:
                return name_zh if zh else name_en
    if spec is not None and spec.type in ("number", "money", "ratio"):
        return _number(value, spec.type, spec.unit)
    return str(value)


def _number(value: Any, kind: str, unit: str) -> str:
    """A number with thousands separators and its unit; a share as a percentage."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if kind == "ratio":
        return f"{format((number * 100).normalize(), 'f')}%"
    return f"{number.normalize():,f} {unit}".strip()


def reason_text(reason: Mapping[str, Any], locale: str = "zh", verdict: bool = True) -> str:
    """One reason as a sentence (its clause is shown beside it, not in it); ``verdict`` adds
    whether the rule was met (a page shows it in a column of its own)."""
    zh = locale != "en"
    field = str(reason.get("field") or "")
    name = label(field, locale)
    kind = reason.get("kind", "condition")
    value = value_text(field, reason.get("value"), locale)
    threshold = reason.get("threshold")
    layer = LAYERS.get(_MAP_FIELD_LAYER.get(field, ""), (field, field))[0 if zh else 1]
    zones = "、".join(reason.get("zones") or []) if zh else ", ".join(reason.get("zones") or [])
    if kind == "missing":
        return f"{name}：未填写" if zh else f"{name}: not given"
    if kind == "malformed":
        why = reason.get("message") or ""
        return f"{name}：无法识别（{why}）" if zh else f"{name}: cannot be read ({why})"
    if kind == "no_layer":
        return (f"{name}：未入库{layer}图层，以填报值为准" if zh
                else f"{name}: no {layer} layer is stored; the typed value decides")
    if kind == "contradiction":
        shown = value_text(field, threshold, locale)
        where = f"（{zones}）" if zones else ""
        return (f"{name}：填报为{value}，与{layer}图层不符（图上为{shown}{where}），以图层为准" if zh
                else f"{name}: typed {value}, but the {layer} layer gives {shown}{where}; "
                     f"the map decides")
    if kind == "result":
        of = reason.get("of") or {}
        share = _number(of.get("share"), "ratio", "") if of else ""
        base = value_text(of.get("field", ""), of.get("value"), locale) if of else ""
        unit = "亩" if field == "quota_offset_mu" else ""
        calc = (f"（{base} × {share}）" if zh else f" ({base} × {share})") if of else ""
        return (f"抵扣留用地指标：{value} {unit}{calc}".rstrip() if zh
                else f"reserved-land quota offset: {value} mu{calc}")
    op = str(reason.get("op") or "")
    shown = value_text(field, threshold, locale) if op not in ("known",) else ""
    of = reason.get("of")
    if of:
        base = value_text(of["field"], of["value"], locale)
        share = _number(of["share"], "ratio", "")
        shown += (f"（{label(of['field'], locale)} {base} × {share}）" if zh
                  else f" ({label(of['field'], locale)} {base} × {share})")
    met = reason.get("met")
    said = ("符合" if zh else "met") if met is True else (
        ("不符合" if zh else "not met") if met is False else "")
    tail = f" — {said}" if verdict and said else ""
    compare = (OPS_ZH if zh else OPS_EN).get(op, op)
    spec = SPECS.get(field)
    if spec is not None and spec.type == "date" and op in DAY_OPS:
        compare = DAY_OPS[op][0 if zh else 1]
    source = ""
    if reason.get("source") == "map":
        source = (f"〔据{layer}图层{('：' + zones) if zones else ''}〕" if zh
                  else f" [from the {layer} layer{(': ' + zones) if zones else ''}]")
    if op == "known":
        return f"{name}：{value}（{compare}）{tail}" if zh else \
            f"{name}: {value} ({compare}){tail}"
    return (f"{name}：{value}，{compare}{shown}{tail}{source}" if zh
            else f"{name}: {value}, {compare} {shown}{tail}{source}")


def decision_text(decision: str, locale: str = "zh", kind: str = "",
                  outcome: Mapping[str, Any] | None = None) -> str:
    """The decision in words, with what a kind adds: a legacy land's category, a homestead
    house's period and whether it takes the legacy route."""
    zh = locale != "en"
    names = KIND_DECISIONS.get((kind, decision)) or DECISIONS.get(decision, (decision, decision))
    text = names[0] if zh else names[1]
    outcome = outcome or {}
    if outcome.get("category"):
        text += f"（{outcome['category']}）" if zh else f" ({outcome['category']})"
    if outcome.get("period_name"):
        legacy = outcome.get("legacy_route")
        route = (("适用存量宅基地房屋处理" if zh else "legacy route") if legacy
                 else ("不适用存量宅基地房屋处理" if zh else "not the legacy route"))
        text += (f"（{outcome['period_name']}；{route}）" if zh
                 else f" ({outcome.get('period')}; {route})")
    return text


def summary(decision: str, reasons: Iterable[Mapping[str, Any]], locale: str = "zh",
            kind: str = "", outcome: Mapping[str, Any] | None = None) -> str:
    """The decision and the reasons that made it: the rules not met, the fields missing or
    unreadable, the map's contradictions (every reason when all were met)."""
    reasons = list(reasons)
    telling = [r for r in reasons if r.get("met") is False
               or r.get("kind") in ("missing", "malformed", "contradiction", "result")]
    shown = telling or [r for r in reasons if r.get("kind", "condition") == "condition"]
    sep = "；" if locale != "en" else "; "
    head = decision_text(decision, locale, kind, outcome)
    body = sep.join(reason_text(r, locale) for r in shown)
    return f"{head}{'：' if locale != 'en' else ': '}{body}" if body else head
