"""Database mode: runs are stored and kept, match file mode, and can be compared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, NotFound
from landrenew.core.store import Store
from landrenew.core.store.models import AuditEvent, EvaluationRun, ParcelResult
from landrenew.demo.generator import write_demo_files
from landrenew.evaluation.service import evaluate_files
from landrenew.evaluation.stored import diff_stored_runs, list_runs, run_on_store, run_results
from landrenew.land.importing import ImportOptions, import_parcels
from landrenew.land.zones import import_zones

CRS = "EPSG:4547"


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo_files(tmp_path_factory.mktemp("demo"), n=400, seed=5)


@pytest.fixture
def loaded(store: Store, demo_files: dict[str, Path]) -> Store:
    import_zones(store, demo_files["zones"], user="t", projected_crs=CRS)
    import_parcels(store, demo_files["parcels"], ImportOptions(), user="t", projected_crs=CRS)
    return store


def test_run_is_stored_with_results_and_audit(loaded: Store) -> None:
    today = city_today()
    stored = run_on_store(loaded, "jiangmen", as_of=today, user="analyst")
    with loaded.read_session() as s:
        run = s.get(EvaluationRun, stored.run.id)
        assert run is not None
        assert (run.pack_id, run.as_of, run.created_by, run.parcel_count) == (
            "jiangmen", today, "analyst", 400)
        n = s.scalar(select(func.count()).select_from(ParcelResult)
                     .where(ParcelResult.run_id == run.id))
        assert n == 400
        low = s.scalar(select(func.count()).select_from(ParcelResult).where(
            ParcelResult.run_id == run.id, ParcelResult.is_low_efficiency.is_(True)))
        assert low == run.low_efficiency_count == int(stored.result["is_low_efficiency"].sum())
        assert low > 0
        audit = s.scalar(select(AuditEvent).where(AuditEvent.action == "evaluate"))
        assert audit is not None and audit.entity_id == str(run.id)
    results = run_results(loaded, stored.run.id)
    flagged = results[results["categories"].fillna("") != ""].iloc[0]
    reasons = flagged["reasons"]
    assert isinstance(reasons, list) and reasons
    assert {"rule", "clause", "field", "value", "op", "threshold"} <= set(reasons[0])


def test_database_mode_matches_file_mode(loaded: Store, demo_files: dict[str, Path],
                                         tmp_path: Path) -> None:
    day = city_today()
    stored = run_on_store(loaded, "jiangmen", as_of=day, user="t")
    files = evaluate_files(demo_files["parcels"], [str(demo_files["zones"])], "jiangmen", day,
                           tmp_path / "out.gpkg", projected_crs=CRS)
    db = run_results(loaded, stored.run.id).set_index("parcel_code").sort_index()
    fm = pd.DataFrame(files.result.drop(columns="geometry")).set_index("parcel_code").sort_index()
    assert list(db.index) == list(fm.index)
    assert (db["categories"].fillna("") == fm["categories"].fillna("")).all()
    assert (db["flags"].fillna("") == fm["flags"].fillna("")).all()
    assert (db["is_low_efficiency"].astype(bool) == fm["is_low_efficiency"].astype(bool)).all()
    assert db["potential_floor_area_m2"].to_numpy() == pytest.approx(
        fm["potential_floor_area_m2"].to_numpy(), rel=1e-9, abs=1e-6)


def test_runs_are_kept_and_diffed(loaded: Store) -> None:
    a = run_on_store(loaded, "jiangmen", as_of=dt.date(2024, 6, 30), data_as_of=None, user="t")
    b = run_on_store(loaded, "jiangmen", as_of=dt.date(2027, 9, 30), data_as_of=None, user="t")
    assert [r.id for r in list_runs(loaded)] == [a.run.id, b.run.id]
    diff = diff_stored_runs(loaded, a.run.id, b.run.id)
    # Three more years make more supplied-but-unstarted parcels idle (Order No. 53).
    fa = a.result.set_index("parcel_code")["flags"].fillna("")
    fb = b.result.set_index("parcel_code")["flags"].fillna("")
    expected = sorted(set(fa.index[fa != fb]) | set(
        a.result.set_index("parcel_code")["categories"].fillna("").pipe(
            lambda ca: ca.index[ca != b.result.set_index("parcel_code")["categories"].fillna("")])))
    assert sorted(diff["parcel_code"]) == expected
    assert len(expected) > 0
    assert diff_stored_runs(loaded, a.run.id, a.run.id).empty
    with pytest.raises(NotFound):
        diff_stored_runs(loaded, a.run.id, 999)


def test_state_on_a_date_before_any_data_is_refused(loaded: Store) -> None:
    with pytest.raises(InputError, match="no parcels"):
        run_on_store(loaded, "jiangmen", as_of=dt.date(2020, 1, 1), user="t")
