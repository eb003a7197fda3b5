"""Money (金额) as :class:`~decimal.Decimal` yuan, exact to the fen (分, 0.01 yuan).

Inputs are parsed from ``str``, ``int`` or ``Decimal``; a ``float`` is refused because it cannot
hold most fen amounts exactly. Products are taken as exact fractions and rounded once, half up
(四舍五入), to the fen. :func:`allocate` splits a total by weights with the largest-remainder
method so that the parts always add up to the total.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any

from landrenew.core.errors import InputError

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

Number = Decimal | Fraction | int


def parse_decimal(value: Any, *, field: str, row: Any = None) -> Decimal:
    """A finite Decimal from ``str`` / ``int`` / ``Decimal``; floats and bools are refused."""
    if isinstance(value, bool):
        raise InputError(f"expected a number, got {value!r}", field=field, row=row,
                         code="not_a_number")
    if isinstance(value, float):
        raise InputError(f"float {value!r} refused: give the amount as a string or Decimal "
                         f"(e.g. '{value}') so that it is exact", field=field, row=row,
                         code="float_refused")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise InputError(f"'{value}' is not a number", field=field, row=row,
                             code="not_a_number") from None
    else:
        raise InputError(f"expected a number as str, int or Decimal, got {type(value).__name__}",
                         field=field, row=row, code="not_a_number")
    if not result.is_finite():
        raise InputError(f"'{value}' is not a finite number", field=field, row=row,
                         code="not_a_number")
    return result


def parse_yuan(value: Any, *, field: str, row: Any = None, allow_negative: bool = False) -> Decimal:
    """An amount in yuan, exact to the fen (more decimals than the fen are refused, not rounded)."""
    amount = parse_decimal(value, field=field, row=row)
    if amount != amount.quantize(FEN):
        raise InputError(f"{value} yuan is not a whole number of fen (0.01)", field=field,
                         row=row, code="sub_fen_amount")
    if amount < 0 and not allow_negative:
        raise InputError(f"{value} yuan is negative", field=field, row=row,
                         code="negative_amount")
    return amount.quantize(FEN)


#: The units staff type an amount in: yuan (元) and ten-thousand yuan (万元).
UNITS = {"yuan": Decimal(1), "wan": Decimal(10_000)}
_SUFFIXES = (("万元", "wan"), ("万", "wan"), ("元", "yuan"))


def parse_amount_text(text: str, *, unit: str = "yuan", field: str) -> Decimal:
    """An amount as staff type it into a form: thousands separators (``12,345.60``,
    ``1，234``) and spaces allowed, a unit written after it (``12.5万元``, ``300元``) or chosen
    beside it (``unit``: yuan or wan); the result is exact yuan to the fen."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "").replace(" ", "")
    for suffix, named in _SUFFIXES:
        if cleaned.endswith(suffix):
            cleaned, unit = cleaned[: -len(suffix)], named
            break
    if unit not in UNITS:
        raise InputError(f"unit '{unit}' is neither yuan nor wan (万元)", field=field,
                         code="unknown_unit")
    if not cleaned:
        raise InputError("give an amount", field=field, code="not_a_number")
    amount = parse_decimal(cleaned, field=field)
    return parse_yuan(amount * UNITS[unit], field=field)


def parse_ratio(value: Any, *, field: str, row: Any = None) -> Fraction:
    """A rate or share: Decimal/int, or a string ``"0.05"``, ``"5%"`` or ``"1/3"``; never float.
    Must lie in [0, 1]."""
    if isinstance(value, str) and value.strip().endswith("%"):
        ratio = Fraction(parse_decimal(value.strip()[:-1], field=field, row=row)) / 100
    elif isinstance(value, str) and "/" in value:
        try:
            ratio = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise InputError(f"'{value}' is not a ratio like 1/3", field=field, row=row,
                             code="not_a_number") from None
    elif isinstance(value, Fraction):
        ratio = value
    else:
        ratio = Fraction(parse_decimal(value, field=field, row=row))
    if not 0 <= ratio <= 1:
        raise InputError(f"{value} is outside 0..1 (give 0.05 or '5%' for five per cent)",
                         field=field, row=row, code="ratio_out_of_range")
    return ratio


def to_fen(value: Number) -> Decimal:
    """Round an exact value half up (away from zero) to the fen."""
    exact = Fraction(value)
    scaled = abs(exact) * 100
    fen = math.floor(scaled + Fraction(1, 2))
    if exact < 0:
        fen = -fen
    return (Decimal(fen) / 100).quantize(FEN, rounding=ROUND_HALF_UP)


def times(*factors: Number) -> Fraction:
    """Exact product (no Decimal context rounding)."""
    result = Fraction(1)
    for factor in factors:
        result *= Fraction(factor)
    return result


def exact_product(*factors: Decimal) -> Decimal:
    """Product of Decimals without context rounding (precision raised for the multiplication)."""
    with localcontext() as ctx:
        ctx.prec = 200
        result = Decimal(1)
        for factor in factors:
            result *= factor
    return result


def allocate(total: Decimal, weights: Sequence[Number]) -> list[Decimal]:
    """Split ``total`` (whole fen) in proportion to ``weights`` by largest remainder (最大余额法):
    every part is floored to the fen, then the fen left over go one each to the parts with the
    largest remainders (earlier parts first on ties). The parts add up to ``total`` exactly."""
    if total != total.quantize(FEN):
        raise InputError(f"{total} is not a whole number of fen", field="total",
                         code="sub_fen_amount")
    if total < 0:
        raise InputError(f"cannot allocate a negative total {total}", field="total",
                         code="negative_amount")
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise InputError("weights must not be negative", field="weights", code="negative_weight")
    weight_sum = sum(exact, Fraction(0))
    if weight_sum == 0:
        raise InputError("weights add up to zero", field="weights", code="zero_weights")
    total_fen = int(total * 100)
    quotas = [total_fen * w / weight_sum for w in exact]
    parts = [math.floor(q) for q in quotas]
    left = total_fen - sum(parts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return [(Decimal(p) / 100).quantize(FEN) for p in parts]


def yuan_str(amount: Decimal) -> str:
    """JSON form of an amount: ``"1234.56"``."""
    return format(amount.quantize(FEN, rounding=ROUND_HALF_UP), "f")


def decimal_str(value: Decimal | Fraction | None) -> str | None:
    """JSON form of a rate, area or factor, without exponent (``"0.10"``, ``"1.2"``)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = fraction_decimal(value)
    return format(value, "f")


def fraction_decimal(value: Fraction, places: int = 6) -> Decimal:
    """A Fraction as Decimal: exact when it terminates within ``places`` decimals, else rounded."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    quantum = Decimal(1).scaleb(-places)
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP)
    return rounded.normalize() if Fraction(rounded) == value else rounded
