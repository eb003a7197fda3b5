"""Statistics by district and land-use class (count, m², 亩, 公顷)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from landrenew.core.store import Store
from landrenew.core.store.models import ParcelVersion
from landrenew.land.districts import import_districts
from landrenew.land.editing import delete_parcel
from landrenew.land.importing import ImportOptions, import_parcels
from landrenew.land.stats import parcel_stats


@pytest.fixture
def loaded(store: Store, gpkg_file: Path, districts_file: Path, tmp_path: Path) -> Store:
    import_districts(store, districts_file, user="t")
    import_parcels(store, gpkg_file, ImportOptions(report=str(tmp_path / "r.csv")), user="t")
    return store


def _table(df):  # type: ignore[no-untyped-def]
    return [(r.district_code, r.land_class, int(r["count"]), round(r.area_mu, 4))
            for _, r in df.iterrows()]


def test_stats_by_district_and_class(loaded: Store) -> None:
    df = parcel_stats(loaded)
    assert list(df.columns) == ["district_code", "district", "land_class", "land_class_name",
                                "count", "area_m2", "area_mu", "area_ha"]
    assert _table(df) == [("440703", "07", 1, 4.5), ("440703", "10", 1, 15.0),
                          ("440704", "09", 1, 1.5), ("440704", "10", 1, 45.0),
                          ("440704", "11", 1, 45.0), ("", "", 5, 111.0)]
    assert df["district"].tolist()[:3] == ["蓬江区", "蓬江区", "江海区"]
    assert df["land_class_name"].tolist()[1] == "工矿用地"
    total = df.iloc[-1]
    assert total["district"] == "合计 total"
    assert total["area_ha"] == pytest.approx(111.0 / 15, abs=1e-6)
    assert total["area_m2"] == pytest.approx(74_000.0, abs=1e-2)


def test_stats_filters_as_of_and_deletions(loaded: Store) -> None:
    assert _table(parcel_stats(loaded, district="440703")) == [
        ("440703", "07", 1, 4.5), ("440703", "10", 1, 15.0), ("", "", 2, 19.5)]
    with loaded.session() as s:
        s.execute(update(ParcelVersion).values(valid_from=dt.datetime(2024, 1, 1)))
    delete_parcel(loaded, "JM-0005", user="a", reason="r")
    assert parcel_stats(loaded).iloc[-1]["count"] == 4
    assert parcel_stats(loaded, as_of=dt.date(2024, 6, 1)).iloc[-1]["count"] == 5
    assert parcel_stats(loaded, as_of=dt.date(2023, 12, 1)).empty
