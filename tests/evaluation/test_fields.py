"""Parcel input fields: codes, texts and dates typed as the evaluation reads them."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from landrenew.core.errors import InputError
from landrenew.evaluation.fields import map_distinct, normalise_code, prepare_parcels


def frame(**columns: list[object]) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    base: dict[str, list[object]] = {"parcel_code": [f" P{i} " for i in range(n)],
                                     "land_use": ["1001"] * n}
    base.update(columns)
    return gpd.GeoDataFrame(base, geometry=[shapely.box(i, 0, i + 1, 1) for i in range(n)],
                            crs=4547)


def test_dates_blank_in_any_spelling_are_missing_and_real_dates_are_kept() -> None:
    df = prepare_parcels(frame(started_on=["2020-03-01", "", "  ", "nan", None,
                                           dt.date(2019, 5, 6), "NaT"]))
    got = df["started_on"].tolist()
    assert got[0] == pd.Timestamp("2020-03-01")
    assert got[5] == pd.Timestamp("2019-05-06")
    assert all(pd.isna(v) for v in got[1:5] + got[6:])
    assert df["parcel_code"].tolist()[:2] == ["P0", "P1"]


def test_a_bad_date_names_its_parcel_and_field() -> None:
    with pytest.raises(InputError, match=r"not a date.*'2020-13-45'") as err:
        prepare_parcels(frame(started_on=["2020-03-01", "  ", "2020-13-45"]))
    assert err.value.row == "P2"
    assert err.value.field == "started_on"


def test_codes_from_numbers_get_their_leading_zero_back() -> None:
    df = prepare_parcels(frame(land_use=[101.0, "0101", 1001, "1001 "]))
    assert df["land_use"].tolist() == ["0101", "0101", "1001", "1001"]


def test_map_distinct_tells_values_apart_by_type() -> None:
    col = pd.Series([1, 1.0, True, "1", 1, None, float("nan")], dtype=object)
    assert map_distinct(col, repr).tolist() == ["1", "1.0", "True", "'1'", "1", "None", "nan"]
    assert map_distinct(col, normalise_code).tolist() == ["01", "01", "True", "01", "01", None,
                                                          None]


def test_a_frame_whose_index_repeats_is_read_like_any_other() -> None:
    parcels = frame(started_on=["2020-03-01", " ", "2021-04-02"],
                    safety_grade=[" c ", None, "a"]).set_index(pd.Index([0, 0, 1]))
    df = prepare_parcels(parcels)
    assert df["started_on"].iloc[0] == pd.Timestamp("2020-03-01")
    assert pd.isna(df["started_on"].iloc[1])
    assert df["safety_grade"].tolist() == ["C", None, "A"]
    with pytest.raises(InputError, match="not a date") as err:
        prepare_parcels(frame(started_on=["2020-03-01", " ", "soon"])
                        .set_index(pd.Index([5, 5, 5])))
    assert err.value.row == "P2"
