"""Sensitive values (敏感信息): the survey fields only some roles may see (tax, output,
investment, right holder …), and the indicators computed from them, hidden from the others."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from landrenew.core.access import Principal
from landrenew.land.fields import SENSITIVE_FIELDS


def redact(record: Mapping[str, Any], user: Principal,
           names: Iterable[str] = SENSITIVE_FIELDS) -> dict[str, Any]:
    """The record without the sensitive fields when the user may not see them."""
    if user.sees_sensitive:
        return dict(record)
    hidden = set(names)
    return {k: v for k, v in record.items() if k not in hidden}


def redact_attributes(attributes: Mapping[str, Any] | None, user: Principal,
                      public: Iterable[str]) -> dict[str, Any] | None:
    """A parcel's extra attributes (columns of its survey file that match no canonical field)
    as the user may see them: all of them for the roles that see sensitive fields, else only
    those declared ``public`` (:mod:`landrenew.land.visibility`) — an undeclared column may hold
    an identity number or a tax figure."""
    if attributes is None or user.sees_sensitive:
        return dict(attributes) if attributes is not None else None
    shown = set(public)
    return {k: v for k, v in attributes.items() if k in shown}


#: Indicators computed from sensitive fields (亩均税收 …): hidden like the fields themselves.
SENSITIVE_INDICATORS = ("tax_per_mu", "output_per_mu", "investment_per_mu")
_HIDDEN = frozenset((*SENSITIVE_FIELDS, *SENSITIVE_INDICATORS))


def redact_evaluation(indicators: Mapping[str, Any] | None, reasons: list[Any] | None,
                      user: Principal) -> tuple[dict[str, Any] | None, list[Any]]:
    """Indicators and rule reasons without the values derived from sensitive fields."""
    reasons = list(reasons or [])
    if user.sees_sensitive:
        return (dict(indicators) if indicators is not None else None), reasons
    ind = {k: v for k, v in (indicators or {}).items() if k not in _HIDDEN}
    out = []
    for r in reasons:
        if isinstance(r, dict) and (r.get("field") in _HIDDEN or r.get("other") in _HIDDEN):
            r = {k: v for k, v in r.items() if k != "value"}  # the rule's threshold stays
        out.append(r)
    return (ind if indicators is not None else None), out
