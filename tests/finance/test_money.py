"""Money helpers: floats refused, fen rounding half up, largest-remainder allocation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from landrenew.core.errors import InputError
from landrenew.finance.money import (
    allocate,
    decimal_str,
    parse_decimal,
    parse_ratio,
    parse_yuan,
    to_fen,
    yuan_str,
)


@pytest.mark.parametrize("value", [0.1, 1234.5, 1e9, float("nan")])
def test_float_is_refused_with_a_clear_error(value: float) -> None:
    with pytest.raises(InputError) as info:
        parse_yuan(value, field="amount")
    assert info.value.code == "float_refused"
    assert info.value.field == "amount"
    assert "float" in info.value.message and "string or Decimal" in info.value.message


@pytest.mark.parametrize(("value", "expected"), [
    ("1234.56", Decimal("1234.56")), (" 10 ", Decimal("10.00")), (7, Decimal("7.00")),
    (Decimal("1.500"), Decimal("1.50")), ("1_000.5", Decimal("1000.50")),
])
def test_yuan_parses_str_int_decimal(value: object, expected: Decimal) -> None:
    parsed = parse_yuan(value, field="amount")
    assert parsed == expected and str(parsed) == str(expected)


@pytest.mark.parametrize(("value", "code"), [
    ("1.005", "sub_fen_amount"), ("-1", "negative_amount"), ("abc", "not_a_number"),
    ("Infinity", "not_a_number"), (True, "not_a_number"), (None, "not_a_number"),
])
def test_yuan_refusals(value: object, code: str) -> None:
    with pytest.raises(InputError) as info:
        parse_yuan(value, field="x")
    assert info.value.code == code


def test_negative_allowed_on_request() -> None:
    assert parse_yuan("-3.2", field="x", allow_negative=True) == Decimal("-3.20")


@pytest.mark.parametrize(("value", "expected"), [
    ("5%", Fraction(1, 20)), ("0.05", Fraction(1, 20)), (Decimal("0.3"), Fraction(3, 10)),
    ("1/3", Fraction(1, 3)), (1, Fraction(1)), (0, Fraction(0)),
])
def test_ratio_forms(value: object, expected: Fraction) -> None:
    assert parse_ratio(value, field="rate") == expected


@pytest.mark.parametrize("value", [5, "105%", "-0.1", "4/3"])
def test_ratio_outside_zero_one_refused(value: object) -> None:
    with pytest.raises(InputError) as info:
        parse_ratio(value, field="rate")
    assert info.value.code == "ratio_out_of_range"


def test_ratio_refuses_float() -> None:
    with pytest.raises(InputError) as info:
        parse_ratio(0.05, field="rate")
    assert info.value.code == "float_refused"


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("0.005"), "0.01"), (Decimal("0.0049"), "0.00"), (Decimal("2.675"), "2.68"),
    (Decimal("-0.005"), "-0.01"), (Fraction(1, 3), "0.33"), (Fraction(2, 3), "0.67"),
    (Decimal("1.125"), "1.13"), (Decimal("1.135"), "1.14"), (10, "10.00"),
])
def test_to_fen_rounds_half_up(value: Decimal | Fraction | int, expected: str) -> None:
    assert str(to_fen(value)) == expected


def test_allocate_largest_remainder() -> None:
    assert allocate(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"),
                                                      Decimal("33.33")]
    # quotas 0.3, 0.3, 0.4 fen: the one fen goes to the largest remainder, not the first part
    assert allocate(Decimal("0.01"), [3, 3, 4]) == [Decimal("0"), Decimal("0"), Decimal("0.01")]
    assert allocate(Decimal("0.02"), [1, 1, 1]) == [Decimal("0.01"), Decimal("0.01"), Decimal("0")]


def test_allocate_refuses_bad_input() -> None:
    with pytest.raises(InputError):
        allocate(Decimal("1.001"), [1])
    with pytest.raises(InputError):
        allocate(Decimal("1"), [0, 0])
    with pytest.raises(InputError):
        allocate(Decimal("1"), [1, -1])


@given(st.integers(min_value=0, max_value=10**14),
       st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12)
       .filter(lambda ws: sum(ws) > 0))
def test_allocate_is_exact_and_within_a_fen(total_fen: int, weights: list[int]) -> None:
    total = Decimal(total_fen) / 100
    parts = allocate(total, weights)
    assert sum(parts) == total
    for part, w in zip(parts, weights, strict=True):
        exact = Fraction(total_fen, 100) * w / sum(weights)
        assert part >= 0 and abs(Fraction(part) - exact) < Fraction(1, 100)


def test_json_forms() -> None:
    assert yuan_str(Decimal("1234.5")) == "1234.50"
    assert yuan_str(Decimal("1E+3")) == "1000.00"
    assert decimal_str(Decimal("0.10")) == "0.10"
    assert decimal_str(Fraction(1, 4)) == "0.25"
    assert decimal_str(None) is None
    assert parse_decimal("2.50", field="far") == Decimal("2.5")
