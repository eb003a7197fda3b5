"""Row checks (数据质检): every problem code, named at its row and field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from landrenew.land.validate import check_attributes, check_codes_unique, check_geometry

F = "survey.gpkg"


def _frame(rows: dict[str, list], labels: list | None = None) -> pd.DataFrame:
    n = len(next(iter(rows.values())))
    return pd.DataFrame(rows, index=pd.Index(labels or list(range(1, n + 1)), name="row"))


def _days(values) -> list:  # type: ignore[no-untyped-def]
    """Typed date values (date objects or datetime64) as ``datetime.date`` / None."""
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]


def _where(problems) -> list[tuple]:  # type: ignore[no-untyped-def]
    return sorted((p.row, p.field, p.code, p.severity) for p in problems)


def test_clean_rows_are_typed() -> None:
    frame = _frame({
        "parcel_code": ["A", "B"], "land_use": ["1001", 701], "floor_area_m2": ["1,200.5", 3],
        "building_year": [2005.0, None], "safety_grade": ["b级", None],
        "approved_on": ["2004年3月1日", "2010/05/06"], "supplied_on": ["20040402", None],
        "tax_10k_yuan": ["12.3456789", None], "developed_ratio": [0.45, "1"],
        "district_code": ["440703", None], "right_holder": [" 江门公司 ", ""],
    })
    checked = check_attributes(frame, F)
    assert checked.problems == []
    assert not checked.refused.any()
    out = checked.frame
    assert out["land_use"].tolist() == ["1001", "0701"]  # a lost leading zero is restored
    assert out["floor_area_m2"].tolist() == [1200.5, 3.0]
    assert out["building_year"].tolist()[0] == 2005 and pd.isna(out["building_year"].iloc[1])
    assert out["safety_grade"].iloc[0] == "B" and pd.isna(out["safety_grade"].iloc[1])
    assert _days(out["approved_on"]) == [dt.date(2004, 3, 1), dt.date(2010, 5, 6)]
    assert _days(out["supplied_on"]) == [dt.date(2004, 4, 2), None]
    assert out["tax_10k_yuan"].iloc[0] == 12.345679  # 万元 to the fen (6 decimals)
    assert out["developed_ratio"].tolist() == [0.45, 1.0]
    assert out["right_holder"].iloc[0] == "江门公司" and pd.isna(out["right_holder"].iloc[1])


@pytest.mark.parametrize(("column", "values", "code", "bad_rows"), [
    ("floor_area_m2", ["12", "很多", "1e3", "abc"], "not_a_number", [2, 4]),
    ("floor_area_m2", [1.0, -5.0, 0.0, 3.0], "negative", [2]),
    ("developed_ratio", [0.5, 45, 1.0, 1.01], "ratio_out_of_range", [2, 4]),
    ("building_year", [2005, 1700, 2005.5, 9999], "impossible_year", [2, 3, 4]),
    ("approved_on", ["2021-02-30", "2020-02-29", "1900-01-01", "2021-13-01"], "impossible_date",
     [1, 3, 4]),
    ("stopped_since", ["2024年2月30日", "2024年2月29日", "昨天", None], "impossible_date", [1, 3]),
    ("safety_grade", ["A", "E", "c", "危房"], "unknown_grade", [2, 4]),
    ("land_use", ["1001", "9999", "0701", "工业"], "unknown_land_use", [2, 4]),
    ("planned_use", ["1001", "8888", "0901", "999999"], "unknown_land_use", [2, 4]),
    ("district_code", ["440703", "44070", "440704", "蓬江区"], "bad_district_code", [2, 4]),
])
def test_each_problem_named_at_row_and_field(column: str, values: list, code: str,
                                             bad_rows: list[int]) -> None:
    checked = check_attributes(_frame({column: values}, [1, 2, 3, 4]), F)
    assert _where(checked.problems) == [(r, column, code, "error") for r in bad_rows]
    assert all(p.file == F for p in checked.problems)
    assert np.flatnonzero(checked.refused).tolist() == [r - 1 for r in bad_rows]


def test_problem_message_and_value() -> None:
    checked = check_attributes(_frame({"floor_area_m2": ["很多"]}, [7]), F)
    (p,) = checked.problems
    assert p.message == "'很多' is not a number"
    assert p.as_dict() == {"file": F, "row": 7, "field": "floor_area_m2", "code": "not_a_number",
                           "severity": "error", "message": "'很多' is not a number", "value": "很多"}
    assert np.isnan(checked.frame["floor_area_m2"].iloc[0])


def test_date_order_is_a_warning() -> None:
    checked = check_attributes(_frame({"approved_on": ["2010-01-01", "2010-01-01"],
                                       "supplied_on": ["2009-12-31", "2010-02-01"]}), F)
    assert _where(checked.problems) == [(1, "supplied_on", "date_order", "warning")]
    assert not checked.refused.any()
    assert checked.errors == []


def test_native_dates_and_decimals() -> None:
    frame = _frame({"approved_on": [dt.date(2004, 3, 1), None],
                    "tax_10k_yuan": [Decimal("1.5"), None]})
    checked = check_attributes(frame, F)
    assert checked.problems == []
    assert _days(checked.frame["approved_on"]) == [dt.date(2004, 3, 1), None]
    assert checked.frame["tax_10k_yuan"].iloc[0] == 1.5


def test_several_problems_in_one_row_all_reported() -> None:
    frame = _frame({"land_use": ["9999"], "floor_area_m2": ["x"], "approved_on": ["2021-02-30"]},
                   [12])
    checked = check_attributes(frame, F)
    assert _where(checked.problems) == [(12, "approved_on", "impossible_date", "error"),
                                        (12, "floor_area_m2", "not_a_number", "error"),
                                        (12, "land_use", "unknown_land_use", "error")]
    assert checked.refused.tolist() == [True]


def test_codes_missing_and_duplicate_name_both_rows() -> None:
    frame = _frame({"parcel_code": ["A", "B", None, "A", "C", "B"]}, [1, 2, 3, 4, 5, 6])
    checked = check_codes_unique(frame, F)
    assert _where(checked.problems) == [
        (1, "parcel_code", "duplicate_code", "error"), (2, "parcel_code", "duplicate_code", "error"),
        (3, "parcel_code", "missing_code", "error"), (4, "parcel_code", "duplicate_code", "error"),
        (6, "parcel_code", "duplicate_code", "error")]
    by_row = {p.row: p.message for p in checked.problems}
    assert by_row[1] == "'A' appears again in row(s) [4]"
    assert by_row[4] == "'A' appears again in row(s) [1]"
    assert by_row[6] == "'B' appears again in row(s) [2]"
    assert checked.refused.tolist() == [True, True, True, True, False, True]


def test_codes_field_missing() -> None:
    checked = check_codes_unique(_frame({"宗地代码": ["A", "B"]}), F)
    assert {p.code for p in checked.problems} == {"missing_field"}
    assert checked.refused.all()
    assert "--mapping" in checked.problems[0].message


def _geo(geoms: list) -> gpd.GeoDataFrame:  # type: ignore[type-arg]
    return gpd.GeoDataFrame({"parcel_code": [f"P{i}" for i in range(len(geoms))]},
                            geometry=geoms, crs=4547,
                            index=pd.Index(range(10, 10 + len(geoms)), name="row"))


BOW = shapely.Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
FLAT = shapely.Polygon([(0, 0), (10, 0), (20, 0), (0, 0)])


def test_geometry_problems() -> None:
    gdf = _geo([shapely.box(0, 0, 10, 10), None, shapely.Polygon(), shapely.LineString([(0, 0), (1, 1)]),
                BOW, FLAT])
    checked = check_geometry(gdf, F)
    assert _where(checked.problems) == [
        (11, "geometry", "missing_geometry", "error"), (12, "geometry", "empty_geometry", "error"),
        (13, "geometry", "not_polygon", "error"), (14, "geometry", "repaired_geometry", "warning"),
        (15, "geometry", "invalid_geometry", "error")]
    assert checked.refused.tolist() == [False, True, True, True, False, True]
    warn = next(p for p in checked.problems if p.code == "repaired_geometry")
    assert "Self-intersection" in warn.message and "make_valid" in warn.message
    repaired = checked.frame.geometry.loc[14]
    assert repaired.is_valid and repaired.area == pytest.approx(5000.0)
    assert checked.frame.crs.to_epsg() == 4547


def test_strict_geometry_refuses_invalid() -> None:
    checked = check_geometry(_geo([shapely.box(0, 0, 10, 10), BOW]), F, strict=True)
    assert _where(checked.problems) == [(11, "geometry", "invalid_geometry", "error")]
    assert "--strict-geometry" in checked.problems[0].message
    assert checked.refused.tolist() == [False, True]


def test_multipolygon_is_fine() -> None:
    multi = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(5, 5, 6, 6)])
    checked = check_geometry(_geo([multi]), F)
    assert checked.problems == [] and not checked.refused.any()
