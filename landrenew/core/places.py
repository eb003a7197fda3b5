"""Places (行政区划): GB/T 2260 codes, the city and province a district lies in, and their names.

A code has six digits: two for the province, two for the city (地级市), two for the county-level
division (区、县、县级市). ``440703`` (蓬江区) lies in city ``440700`` (江门市) in province ``440000``
(广东省). A city without districts (不设区的地级市, e.g. ``442000``) is its own "district": its data
carry the city's code. Names come from the GB/T 2260 table shipped with the package
(``core/data/gb2260_44.yaml``, Guangdong) and, for places it lacks, from the districts a
deployment has imported.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from landrenew.core.errors import InputError

_CODE = re.compile(r"^\d{6}$")


def check_code(code: str, field: str = "district") -> str:
    """``code`` if it is a six-digit GB/T 2260 code; otherwise a refusal naming the field."""
    text = str(code or "").strip()
    if not _CODE.match(text):
        raise InputError(f"'{code}' is not a six-digit GB/T 2260 code (e.g. 440703)",
                         field=field)
    return text


def province_of(code: str) -> str:
    return check_code(code)[:2] + "0000"


def city_of(code: str) -> str:
    """The city (地级市) a code lies in; a province code is its own answer."""
    c = check_code(code)
    if c[2:4] == "00":
        return c
    return c[:4] + "00"


def level(code: str) -> str:
    """``province``, ``city`` or ``district``."""
    c = check_code(code)
    if c[2:] == "0000":
        return "province"
    if c[4:] == "00":
        return "city"
    return "district"


def lineage(code: str) -> list[str]:
    """The place and the places holding it, most specific first (district, city, province);
    a city without districts gives ``[city, province]``."""
    c = check_code(code)
    out = [c, city_of(c), province_of(c)]
    return list(dict.fromkeys(out))


def contains(outer: str, inner: str) -> bool:
    """Whether place ``outer`` is ``inner`` or holds it."""
    return check_code(outer, "jurisdiction") in lineage(inner)


@cache
def _table() -> dict[str, str]:
    text = resources.files("landrenew.core").joinpath("data/gb2260_44.yaml").read_text("utf-8")
    return {str(k): str(v) for k, v in (yaml.safe_load(text) or {}).items()}


def place_name(code: str, known: dict[str, str] | None = None) -> str:
    """The name of a place: from ``known`` (e.g. the districts table), else the GB/T 2260 table,
    else the code itself."""
    c = str(code)
    if known and c in known:
        return known[c]
    return _table().get(c, c)


def full_name(code: str, known: dict[str, str] | None = None) -> str:
    """``江门市蓬江区`` for a district; the name alone for a city or province."""
    c = check_code(code)
    if level(c) != "district":
        return place_name(c, known)
    return place_name(city_of(c), known) + place_name(c, known)
