"""Area units. 1 亩 (mu) = 10000/15 m²; 1 公顷 (hectare) = 10000 m² = 15 亩."""

from __future__ import annotations

from typing import TypeVar

import numpy as np

M2_PER_MU = 10000.0 / 15.0
M2_PER_HA = 10000.0

T = TypeVar("T", float, np.ndarray)


def m2_to_mu(m2: T) -> T:
    """Square metres to 亩. Computed as m² × 15 / 10000 so that 10000 m² is exactly 15 亩."""
    return m2 * 15.0 / 10000.0


def m2_to_ha(m2: T) -> T:
    return m2 / M2_PER_HA


def mu_to_m2(mu: T) -> T:
    return mu * 10000.0 / 15.0


def area_triplet(m2: float) -> dict[str, float]:
    """The three ways an area is shown: m², 亩, 公顷."""
    return {"area_m2": float(m2), "area_mu": float(m2_to_mu(m2)), "area_ha": float(m2_to_ha(m2))}
