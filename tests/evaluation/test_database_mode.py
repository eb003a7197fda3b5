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
from landrenew.evaluation.files import evaluate_files
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
        # forced: the Jiangmen pack on every parcel, those of 白云区 and 中山市 included (a trial)
        assert (run.pack_id, run.as_of, run.created_by, run.parcel_count) == (
            "jiangmen", today, "analyst", 500)
        assert run.summary["forced"] is True and "trial" in (run.note or "")
        n = s.scalar(select(func.count()).select_from(ParcelResult)
                     .where(ParcelResult.run_id == run.id))
        assert n == 500
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


def test_each_district_is_judged_by_its_own_citys_standard(loaded: Store, demo_files:
                                                            dict[str, Path]) -> None:
    """Without a forced pack, a parcel of 江门 is judged by Jiangmen's standard, one of 白云区 by
    Guangzhou's, one of 中山 by the province's (Zhongshan has none of its own); the run records
    which pack decided each district, the files give the same answer district by district."""
    day = dt.date(2025, 6, 30)
    stored = run_on_store(loaded, as_of=day, data_as_of=None, user="t")
    run = stored.run
    assert run.pack_id == "by_place" and run.pack_version == ""
    assert {c: p["pack"] for c, p in run.packs.items()} == {
        **{c: "jiangmen" for c in ("440703", "440704", "440705", "440781", "440783", "440784",
                                   "440785") if c in run.packs},
        "440111": "guangzhou", "442000": "guangdong"}
    assert run.parcel_count == 500 and run.summary["forced"] is False
    results = run_results(loaded, run.id)
    # Guangzhou's own flag is raised only on Guangzhou's parcels
    outside = results[results["flags"].fillna("").str.contains("outside_development_boundary")]
    assert set(outside["district_code"]) <= {"440111"}
    for code, pack_id in (("440111", "guangzhou"), ("442000", "guangdong"), ("440703", "jiangmen")):
        part = results[results["district_code"] == code].set_index("parcel_code").sort_index()
        alone = evaluate_files(demo_files["parcels"], [str(demo_files["zones"])], pack_id, day,
                               None, projected_crs=CRS).result
        alone = pd.DataFrame(alone.drop(columns="geometry")).set_index("parcel_code")
        alone = alone.loc[part.index]
        assert (part["categories"].fillna("") == alone["categories"].fillna("")).all(), code
        assert (part["flags"].fillna("") == alone["flags"].fillna("")).all(), code


def test_a_stored_layer_a_pack_does_not_know_is_left_out_and_said(store: Store,
                                                                   demo_files: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    """A reserved-land (留白) layer no longer stops an evaluation with a pack that lacks the
    kind: the layer is left out of that pack's overlay and the run lists it."""
    import_zones(store, demo_files["zones"], user="t", projected_crs=CRS)
    import_parcels(store, demo_files["parcels"], ImportOptions(), user="t", projected_crs=CRS)
    trial = tmp_path / "trial.yaml"
    trial.write_text("""\
kind: identification
id: trial
version: "1"
title: {zh: 试算, en: trial}
jurisdiction: {name: 江门市, code: "440700"}
effective_from: 2020-01-01
issued_on: 2020-01-01
categories:
  extensive_use: {zh: 利用粗放, en: extensive use}
zone_kinds:
  ecological_redline: {zh: 生态保护红线, en: red line}
land_use_groups:
  industrial: ["1001"]
rules:
  - id: FAR
    category: extensive_use
    applies_to: [industrial]
    when: {field: far, op: "<", value: 1.0}
    clause: {document: d, section: s}
    message: {zh: 容积率低, en: low FAR}
""", encoding="utf-8")
    stored = run_on_store(store, str(trial), as_of=dt.date(2025, 6, 30), data_as_of=None,
                          user="t")
    left = stored.run.summary["zones_left_out"]["trial"]
    assert "guideline_parcel" in left and "ecological_redline" not in left
    assert stored.run.parcel_count == 500
