"""The one check of an evidence file's SHA-256."""

from __future__ import annotations

import pytest

from landrenew.core.errors import InputError
from landrenew.core.evidence import check_evidence, is_sha256

GOOD = "ab" * 32


def test_a_digest_is_64_hex_digits_in_either_case() -> None:
    assert is_sha256(GOOD) and is_sha256(GOOD.upper())
    assert not is_sha256(GOOD[:-1]) and not is_sha256(GOOD + "a")
    assert not is_sha256("g" + GOOD[1:]) and not is_sha256("")


def test_check_evidence_names_the_field_and_lets_none_through() -> None:
    check_evidence(None)
    check_evidence(GOOD)
    with pytest.raises(InputError) as caught:
        check_evidence("xyz", field="scan_sha256")
    assert caught.value.field == "scan_sha256" and "64 hex" in str(caught.value)


def test_a_digest_with_a_trailing_newline_or_spaces_is_refused() -> None:
    assert not is_sha256(GOOD + "\n") and not is_sha256(" " + GOOD) and not is_sha256(GOOD + " ")
    with pytest.raises(InputError):
        check_evidence(GOOD + "\n")


def test_a_record_day_may_be_tomorrow_in_the_city_but_no_later() -> None:
    import datetime as dt

    from landrenew.core.clock import city_today
    from landrenew.core.evidence import check_not_future

    check_not_future(city_today() + dt.timedelta(days=1), "signed_on")
    with pytest.raises(InputError) as caught:
        check_not_future(city_today() + dt.timedelta(days=2), "held_on")
    assert caught.value.field == "held_on" and "in the future" in str(caught.value)
