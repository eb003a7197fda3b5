"""History: every change is a version; as-of reads; edits and deletions; nothing overwritten."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select, update

from landrenew.core.errors import InputError, NotFound, ValidationFailed
from landrenew.core.store import Store
from landrenew.core.store.models import AuditEvent, ParcelVersion
from landrenew.land import parcels as P
from landrenew.land.editing import delete_parcel, update_parcel
from landrenew.land.importing import ImportOptions, import_parcels

from .conftest import AREAS_M2, CODES


def _rows(store: Store) -> int:
    with store.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(ParcelVersion)) or 0)


def _backdate(store: Store, when: dt.datetime) -> None:
    """Move every stored version's stamps to ``when`` (as if imported then)."""
    with store.session() as s:
        s.execute(update(ParcelVersion).values(valid_from=when))
        s.execute(update(ParcelVersion).where(ParcelVersion.valid_to.is_not(None))
                  .values(valid_to=when))


@pytest.fixture
def loaded(store: Store, gpkg_file: Path, tmp_path: Path) -> Store:
    import_parcels(store, gpkg_file, ImportOptions(report=str(tmp_path / "r.csv")), user="t")
    # imported on 2024-01-10 10:00 CST (02:00 UTC)
    _backdate(store, dt.datetime(2024, 1, 10, 2, 0))
    return store


def test_update_creates_version_and_as_of_reads_past(loaded: Store) -> None:
    res = update_parcel(loaded, "JM-0001", {"floor_area_m2": "15000", "land_use": "0901"},
                        user="clerk", reason="核查更正")
    assert res == {"changed": True, "version": 2}
    assert _rows(loaded) == 6
    now = P.get_parcel(loaded, "JM-0001").iloc[0]
    assert (now["floor_area_m2"], now["land_use"], now["version"]) == (15000.0, "0901", 2)
    assert now["changed_by"] == "clerk" and now["reason"] == "核查更正"
    assert now["area_m2"] == pytest.approx(AREAS_M2["JM-0001"], abs=1e-3)
    past = P.get_parcel(loaded, "JM-0001", as_of=dt.date(2024, 6, 30)).iloc[0]
    assert (past["floor_area_m2"], past["land_use"], past["version"]) == (12000.5, "1001", 1)
    with pytest.raises(NotFound, match="on 2024-01-09"):
        P.get_parcel(loaded, "JM-0001", as_of=dt.date(2024, 1, 9))
    assert P.count_parcels(loaded, as_of=dt.date(2024, 1, 9)) == 0
    assert P.count_parcels(loaded, as_of=dt.date(2024, 1, 10)) == 5
    with loaded.read_session() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
        assert ev.before["floor_area_m2"] == 12000.5 and ev.after["floor_area_m2"] == 15000.0


def test_history_closes_predecessor(loaded: Store) -> None:
    update_parcel(loaded, "JM-0002", {"building_year": 2001}, user="a", reason="r1")
    update_parcel(loaded, "JM-0002", {"right_holder": "新权利人"}, user="b", reason="r2")
    with loaded.read_session() as s:
        versions = P.parcel_history(s, "JM-0002")
        assert [v.version for v in versions] == [1, 2, 3]
        assert [v.operation for v in versions] == ["insert", "update", "update"]
        assert [v.changed_by for v in versions] == ["t", "a", "b"]
        assert versions[0].valid_to == versions[1].valid_from
        assert versions[1].valid_to == versions[2].valid_from
        assert versions[2].valid_to is None
        assert P.changed_fields(None, versions[0]) == []
        assert P.changed_fields(versions[0], versions[1]) == ["building_year"]
        assert P.changed_fields(versions[1], versions[2]) == ["right_holder"]
        with pytest.raises(NotFound):
            P.parcel_history(s, "NOPE")


def test_update_without_change_writes_nothing(loaded: Store) -> None:
    assert update_parcel(loaded, "JM-0003", {"floor_area_m2": 800.0}, user="a",
                         reason="same") == {"changed": False, "version": 1}
    assert _rows(loaded) == 5


def test_update_geometry_recomputes_area(loaded: Store) -> None:
    geom = shapely.box(113.0, 22.58, 113.001, 22.581)
    res = update_parcel(loaded, "JM-0004", {}, user="a", reason="resurvey", geometry=geom)
    assert res["version"] == 2
    row = P.get_parcel(loaded, "JM-0004").iloc[0]
    assert row.geometry.equals(geom)
    assert 10_000 < row["area_m2"] < 12_000  # ~0.001° × 0.001° at 22.6°N
    past = P.get_parcel(loaded, "JM-0004", as_of=dt.date(2024, 2, 1)).iloc[0]
    assert past["area_m2"] == pytest.approx(1000.0, abs=1e-3)


def test_update_refusals(loaded: Store) -> None:
    with pytest.raises(InputError, match="reason is required"):
        update_parcel(loaded, "JM-0001", {"floor_area_m2": 1}, user="a", reason=" ")
    with pytest.raises(InputError) as err:
        update_parcel(loaded, "JM-0001", {"area_m2": 1}, user="a", reason="r")
    assert err.value.field == "area_m2"
    with pytest.raises(ValidationFailed) as verr:
        update_parcel(loaded, "JM-0001", {"approved_on": "2021-02-30"}, user="a", reason="r")
    assert verr.value.problems[0].field == "approved_on"
    with pytest.raises(NotFound):
        update_parcel(loaded, "JM-4040", {"floor_area_m2": 1}, user="a", reason="r")
    assert _rows(loaded) == 5


def test_delete_is_a_version(loaded: Store) -> None:
    assert delete_parcel(loaded, "JM-0005", user="a", reason="合并入 JM-0001") == 2
    assert _rows(loaded) == 6
    assert P.count_parcels(loaded) == 4
    assert P.count_parcels(loaded, as_of=dt.date(2024, 3, 1)) == 5
    with pytest.raises(NotFound):
        P.get_parcel(loaded, "JM-0005")
    past = P.get_parcel(loaded, "JM-0005", as_of=dt.date(2024, 3, 1)).iloc[0]
    assert past["area_m2"] == pytest.approx(30_000.0, abs=1e-3)
    with loaded.read_session() as s:
        last = P.parcel_history(s, "JM-0005")[-1]
        assert (last.operation, last.is_deleted, last.reason) == ("delete", True, "合并入 JM-0001")
        assert shapely.from_wkb(last.geom).area > 0  # the geometry is kept with the deletion
    with pytest.raises(NotFound):
        delete_parcel(loaded, "JM-0005", user="a", reason="again")
    with pytest.raises(InputError, match="reason is required"):
        delete_parcel(loaded, "JM-0001", user="a", reason="")


def test_reimport_after_delete_is_insert(loaded: Store, gpkg_file: Path, tmp_path: Path) -> None:
    delete_parcel(loaded, "JM-0005", user="a", reason="mistake")
    rep = import_parcels(loaded, gpkg_file, ImportOptions(report=str(tmp_path / "r.csv")), user="t")
    assert (rep.inserted, rep.updated, rep.unchanged) == (1, 0, 4)
    with loaded.read_session() as s:
        assert [(v.version, v.operation) for v in P.parcel_history(s, "JM-0005")] == [
            (1, "insert"), (2, "delete"), (3, "insert")]
    assert P.count_parcels(loaded) == 5


def test_nothing_overwritten_rows_only_grow(loaded: Store) -> None:
    with loaded.read_session() as s:
        before = {v.id: (v.parcel_code, v.version, v.floor_area_m2, v.geom, v.valid_from)
                  for v in s.scalars(select(ParcelVersion))}
    counts = [_rows(loaded)]
    for i in range(3):
        update_parcel(loaded, "JM-0001", {"floor_area_m2": 100.0 + i}, user="a", reason=f"r{i}")
        counts.append(_rows(loaded))
    delete_parcel(loaded, "JM-0002", user="a", reason="gone")
    counts.append(_rows(loaded))
    assert counts == [5, 6, 7, 8, 9]
    with loaded.read_session() as s:
        after = {v.id: (v.parcel_code, v.version, v.floor_area_m2, v.geom, v.valid_from)
                 for v in s.scalars(select(ParcelVersion))}
    assert {k: after[k] for k in before} == before  # old versions untouched (only closed)


def test_as_of_midday_boundary_in_china_time(loaded: Store) -> None:
    """Stamped 2024-01-10 02:00 UTC = 10:00 CST: in force at the end of 2024-01-10 CST."""
    assert P.count_parcels(loaded, as_of=dt.date(2024, 1, 10)) == 5
    assert len(P.read_parcels(loaded, as_of=dt.datetime(2024, 1, 10, 9, 59))) == 0
    assert len(P.read_parcels(loaded, as_of=dt.datetime(2024, 1, 10, 10, 1))) == 5


def test_read_filters(loaded: Store) -> None:
    frame = P.read_parcels(loaded, codes=["JM-0003", "JM-0001"])
    assert frame["parcel_code"].tolist() == ["JM-0001", "JM-0003"]
    box = P.read_parcels(loaded, codes=["JM-0001"]).total_bounds
    hit = P.read_parcels(loaded, bbox=tuple(box))
    assert hit["parcel_code"].tolist() == ["JM-0001"]
    assert isinstance(P.read_parcels(loaded, with_geometry=False), pd.DataFrame)
    assert sorted(P.read_parcels(loaded)["parcel_code"]) == CODES
