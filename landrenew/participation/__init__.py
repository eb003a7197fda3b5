"""Participation (公众参与): consent units and the willingness gate (意愿征询, 中山 §四5(2))."""

from landrenew.participation.consent import (
    latest_consents,
    unit_consent,
    willingness_gate,
    willingness_rules,
)
from landrenew.participation.decisions import Check, UnitDecision, WillingnessDecision

__all__ = ["Check", "UnitDecision", "WillingnessDecision", "latest_consents",
           "unit_consent", "willingness_gate", "willingness_rules"]
