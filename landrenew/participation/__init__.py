"""Participation (公众参与): consent units and the willingness gate (意愿征询, 中山 §四5(2))."""

from landrenew.participation.consent import (
    Check,
    UnitDecision,
    WillingnessDecision,
    latest_consents,
    load_willingness_rules,
    unit_consent,
    willingness_gate,
)

__all__ = ["Check", "UnitDecision", "WillingnessDecision", "latest_consents",
           "load_willingness_rules", "unit_consent", "willingness_gate"]
