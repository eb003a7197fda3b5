"""The signing ledger is append-only and tamper-evident: edits, removals (in the middle and at
the end) and reordering are all found, on both backends; the CLI exits non-zero."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from landrenew.cli import app
from landrenew.core import ledger
from landrenew.core.access import Principal
from landrenew.core.ledger_check import ChainProblem, verify
from landrenew.core.store import Store
from landrenew.core.store.models import LedgerRecord
from landrenew.projects import phase_service, service

ADMIN = Principal("admin", "admin")


def _setup(store: Store, n: int = 5) -> dict[str, Any]:
    from landrenew.core.store.migrate import upgrade

    upgrade(store.engine)
    project = service.create_project(store, ADMIN, {"name": "石井村改造", "type": "urban_village",
                                                    "district_code": "440111",
                                                    "scheme_approved_on": dt.date(2026, 4, 1)})
    phase = phase_service.create_phase(store, ADMIN, project["id"], "一期", None)
    phase_service.add_people(store, ADMIN, phase["id"], [
        {"person_id": f"P{i}", "name": f"村民{i}", "kind": "villager"} for i in range(n)])
    for i in range(n - 1):
        phase_service.record_agreement(store, ADMIN, phase["id"], f"P{i}", dt.date(2026, 5, 1 + i),
                                       evidence_sha256="ab" * 32)
    return {"project": project, "phase": phase,
            "ledger": ledger.ledger_name("signing", project["id"])}


def _verify(store: Store) -> tuple[int, list[ChainProblem]]:
    result = verify(store, ledger.trust_of(store))
    return result.checked, result.problems


def _problems(store: Store) -> list[str]:
    return [str(p) for p in _verify(store)[1]]


def test_an_intact_ledger_verifies(store: Store) -> None:
    s = _setup(store)
    checked, problems = _verify(store)
    assert checked == 4 and problems == []
    with store.read_session() as session:
        rows = session.scalars(select(LedgerRecord).order_by(LedgerRecord.seq)).all()
    assert rows[0].prev_hash == ledger.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert {r.ledger for r in rows} == {s["ledger"]}


def test_a_withdrawal_is_a_new_record(store: Store) -> None:
    s = _setup(store)
    out = phase_service.record_agreement(store, ADMIN, s["phase"]["id"], "P0", dt.date(2026, 6, 1),
                                         action="withdraw")
    assert out["record"]["seq"] == 5 and out["record"]["action"] == "withdraw"
    assert out["gate"]["signed"] == 3
    assert _verify(store)[1] == []


def test_an_edited_record_is_found(store: Store) -> None:
    s = _setup(store)
    with store.session() as session:
        session.execute(update(LedgerRecord).where(LedgerRecord.seq == 2)
                        .values(subject="P9"))
    problems = _problems(store)
    assert any(f"{s['ledger']} #2" in p and "edited" in p for p in problems), problems


def test_a_rehashed_edit_breaks_the_next_link(store: Store) -> None:
    """Someone who edits a record and recomputes its hash still breaks the next record's link."""
    s = _setup(store)
    with store.session() as session:
        rec = session.scalar(select(LedgerRecord).where(LedgerRecord.seq == 2))
        assert rec is not None
        rec.effective_on = dt.date(2020, 1, 1)
        rec.hash = ledger.record_hash(ledger.as_fields(rec))
    problems = _problems(store)
    assert any(f"{s['ledger']} #3" in p and "link" in p for p in problems), problems


def test_a_removed_record_is_found_in_the_middle_and_at_the_end(store: Store) -> None:
    s = _setup(store)
    with store.session() as session:
        session.execute(delete(LedgerRecord).where(LedgerRecord.seq == 2))
    problems = _problems(store)
    assert any("#3" in p and "removed" in p for p in problems), problems
    with store.session() as session:
        session.execute(delete(LedgerRecord).where(LedgerRecord.seq == 4))
    problems = _problems(store)
    assert any("records at the end were removed" in p for p in problems), problems
    assert s


def test_cli_verify(store: Store, monkeypatch: Any) -> None:
    _setup(store)
    monkeypatch.setenv("LANDRENEW_DATABASE_URL", store.url)
    runner = CliRunner()
    ok = runner.invoke(app, ["--db", store.url, "ledger", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "4 ledger record(s) verified" in ok.output
    with store.session() as session:
        session.execute(update(LedgerRecord).where(LedgerRecord.seq == 1).values(action="withdraw"))
    bad = runner.invoke(app, ["--db", store.url, "ledger", "verify"])
    assert bad.exit_code != 0
    assert "#1" in bad.output and "edited" in bad.output
