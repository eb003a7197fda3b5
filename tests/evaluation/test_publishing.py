"""Published runs (认定结果发布): a run shows on the map, the cards, the lists and to the public
only once city staff publish it, and a trial run never does."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from landrenew.core.access import PUBLIC, Principal
from landrenew.core.errors import Conflict, NotFound, PermissionDenied
from landrenew.core.store import Store
from landrenew.core.store.migrate import alembic_config, downgrade, upgrade
from landrenew.core.store.models import AuditEvent
from landrenew.demo.generator import write_demo_files
from landrenew.evaluation import publishing
from landrenew.evaluation import service as evaluations
from landrenew.evaluation.stored import run_on_store
from landrenew.land.districts import import_districts
from landrenew.land.importing import ImportOptions, import_parcels
from landrenew.land.service import parcel_detail
from landrenew.land.zones import import_zones
from landrenew.serving.parcels import current_run_id, list_parcels

CRS = "EPSG:4547"
CITY = Principal("city", "city_staff")
DAY = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo_files(tmp_path_factory.mktemp("demo"), n=40, seed=7)


@pytest.fixture
def loaded(store: Store, demo_files: dict[str, Path]) -> Store:
    import_districts(store, demo_files["districts"], user="t", projected_crs=CRS)
    import_zones(store, demo_files["zones"], user="t", projected_crs=CRS)
    import_parcels(store, demo_files["parcels"], ImportOptions(), user="t", projected_crs=CRS)
    return store


def test_nothing_shows_until_a_run_is_published(loaded: Store) -> None:
    run = run_on_store(loaded, as_of=DAY, data_as_of=None, user="t").run
    assert current_run_id(loaded) is None and evaluations.published_run(loaded, CITY) is None
    _, items = list_parcels(loaded, CITY, limit=500)
    assert all(not i.get("categories") for i in items)
    code = items[0]["parcel_code"]
    assert parcel_detail(loaded, PUBLIC, code)["evaluation"] is None
    assert evaluations.list_runs(loaded, CITY)[1][0]["published"] is False

    made = publishing.publish_run(loaded, CITY, run.id, reason="mid-term evaluation")
    assert (made["run_id"], made["previous_run_id"]) == (run.id, None)
    assert current_run_id(loaded) == run.id
    shown = evaluations.published_run(loaded, PUBLIC)
    assert shown is not None and shown["id"] == run.id and shown["published_by"] == "city"
    assert parcel_detail(loaded, PUBLIC, code)["evaluation"]["run_id"] == run.id
    _, items = list_parcels(loaded, CITY, limit=500)
    assert any(i.get("categories") for i in items)
    with loaded.read_session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "publish"))
    assert event is not None and event.actor == "city" and event.reason == "mid-term evaluation"
    assert event.entity_id == str(run.id) and event.after == {"published_run": run.id}


def test_a_trial_run_is_never_published_nor_shown(loaded: Store) -> None:
    real = run_on_store(loaded, as_of=DAY, data_as_of=None, user="t").run
    publishing.publish_run(loaded, CITY, real.id)
    trial = run_on_store(loaded, "jiangmen", as_of=DAY, data_as_of=None, user="t").run
    assert trial.id > real.id
    assert current_run_id(loaded) == real.id  # the newer trial does not reach the map
    code = list_parcels(loaded, CITY, limit=1)[1][0]["parcel_code"]
    assert parcel_detail(loaded, CITY, code)["evaluation"]["run_id"] == real.id
    with pytest.raises(Conflict, match="trial"):
        publishing.publish_run(loaded, CITY, trial.id)
    runs = {r["id"]: r for r in evaluations.list_runs(loaded, CITY)[1]}
    assert runs[trial.id]["trial"] and not runs[trial.id]["published"]
    assert runs[real.id]["published"] and not runs[real.id]["trial"]


def test_who_may_publish_and_what(loaded: Store) -> None:
    first = run_on_store(loaded, as_of=DAY, data_as_of=None, user="t").run
    for role in ("viewer", "district_staff", "consolidation_entity"):
        with pytest.raises(PermissionDenied):
            publishing.publish_run(loaded, Principal("x", role, ("440703",)), first.id)
    with pytest.raises(NotFound):
        publishing.publish_run(loaded, CITY, first.id + 99)
    publishing.publish_run(loaded, Principal("root", "admin"), first.id)
    with pytest.raises(Conflict, match="already"):
        publishing.publish_run(loaded, CITY, first.id)
    second = run_on_store(loaded, as_of=dt.date(2026, 6, 30), data_as_of=None, user="t").run
    made = publishing.publish_run(loaded, CITY, second.id, reason="final evaluation")
    assert made["previous_run_id"] == first.id and current_run_id(loaded) == second.id
    history = publishing.publications(loaded)
    assert [p["run_id"] for p in history] == [second.id, first.id]


def test_upgrade_publishes_the_newest_run_that_is_not_a_trial(sqlite_store: Store) -> None:
    """A database from before publishing keeps showing a real run, never a trial."""
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0018_published_runs")
    assert before is not None
    downgrade(sqlite_store.engine, str(before.down_revision))
    with sqlite_store.engine.begin() as conn:
        for i, forced in ((1, False), (2, False), (3, True)):
            conn.execute(text(
                "INSERT INTO evaluation_runs (id, pack_id, pack_version, as_of, created_at, "
                "created_by, engine, parcel_count, low_efficiency_count, summary) VALUES "
                "(:id, 'p', '1', '2025-06-30', '2025-07-01 00:00:00', 't', 'local', 0, 0, :s)"),
                {"id": i, "s": json.dumps({"forced": forced})})
    upgrade(sqlite_store.engine)
    with sqlite_store.engine.connect() as conn:
        rows = conn.execute(text("SELECT run_id, published_by FROM published_runs")).all()
    assert [tuple(r) for r in rows] == [(2, "upgrade")]


def test_the_command_line_publishes_and_marks_the_runs(loaded: Store) -> None:
    from typer.testing import CliRunner

    from landrenew.cli import app

    real = run_on_store(loaded, as_of=DAY, data_as_of=None, user="t").run
    trial = run_on_store(loaded, "jiangmen", as_of=DAY, data_as_of=None, user="t").run
    runner = CliRunner()

    def cli(*args: str) -> Any:
        return runner.invoke(app, ["--db", loaded.url, "--user", "局员", *args])

    made = cli("evaluate", "--as-of", "2025-06-30", "--data-as-of", "current")
    assert made.exit_code == 0, made.output
    assert "evaluate publish" in made.stdout and current_run_id(loaded) is None
    refused = cli("evaluate", "publish", str(trial.id))
    assert refused.exit_code != 0 and "trial" in str(refused.exception)
    done = cli("evaluate", "publish", str(real.id), "--reason", "中期评估")
    assert done.exit_code == 0, done.output
    assert f"published evaluation run {real.id}" in done.stdout
    runs = json.loads(cli("--json", "evaluate", "runs").stdout)["rows"]
    status = {int(r["run"]): r["status"] for r in runs}
    assert status[real.id] == "已发布 published" and status[trial.id] == "试算 trial"
    assert len(status) == 3 and list(status.values()).count("") == 1
    assert publishing.publications(loaded)[0]["published_by"] == "局员"


def test_a_trial_run_never_reaches_a_programme_report(loaded: Store) -> None:
    from landrenew.supervision.stock import latest_run

    real = run_on_store(loaded, as_of=DAY, data_as_of=None, user="t").run
    run_on_store(loaded, "jiangmen", as_of=dt.date(2025, 9, 30), data_as_of=None, user="t")
    with loaded.read_session() as session:
        chosen = latest_run(session, dt.date(2025, 12, 31))
    assert chosen is not None and chosen.id == real.id
