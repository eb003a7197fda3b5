"""Ledgers that cannot be forged or cut: every attack of the security review, on both backends.

A record appended straight into the database with a correctly computed hash, a whole ledger
deleted, the last record deleted with its audit event, a checkpoint row forged: each is named by
``verify`` and none is counted by the demolition gate.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from landrenew.cli import app
from landrenew.core import ledger
from landrenew.core.errors import ConfigurationError
from landrenew.core.ledger import LedgerTrust, trust_of
from landrenew.core.ledger_check import LedgerBroken, adopt_unsigned, make_checkpoint, verify
from landrenew.core.settings import Settings
from landrenew.core.signing import RECORD_CONTEXT, generate_key_file, load_keys
from landrenew.core.store import Store
from landrenew.core.store.models import AuditEvent, LedgerCheckpoint, LedgerRecord
from landrenew.projects import phase_service, service
from landrenew.projects.phase_service import GateClosed

from .test_ledger import ADMIN

runner = CliRunner()


def _trust(tmp_path: Path, name: str = "ledger.pem", *, anchor: bool = True) -> LedgerTrust:
    key = tmp_path / name
    if not key.exists():
        generate_key_file(key)
    return LedgerTrust(load_keys(str(key)), tmp_path / "checkpoints.jsonl" if anchor else None)


def _phase(store: Store, people: int = 10, signed: int = 8) -> dict[str, Any]:
    project = service.create_project(store, ADMIN, {"name": "石井村改造", "type": "urban_village",
                                                    "district_code": "440111",
                                                    "scheme_approved_on": dt.date(2026, 4, 1)})
    phase = phase_service.create_phase(store, ADMIN, project["id"], "一期", None)
    phase_service.add_people(store, ADMIN, phase["id"], [
        {"person_id": f"P{i}", "name": f"村民{i}", "kind": "villager"} for i in range(people)])
    for i in range(signed):
        phase_service.record_agreement(store, ADMIN, phase["id"], f"P{i}", dt.date(2026, 5, 1),
                                       evidence_sha256="ab" * 32)
    return {"project": project["id"], "phase": phase["id"],
            "ledger": ledger.ledger_name("signing", project["id"])}


def _forge(store: Store, name: str, subject: str, *, signed_by: LedgerTrust | None = None
           ) -> None:
    """What someone who can write the database does: append a record whose hash is right."""
    with store.session() as session:
        last = session.scalars(select(LedgerRecord).where(LedgerRecord.ledger == name)
                               .order_by(LedgerRecord.seq.desc()).limit(1)).one()
        fields = {**ledger.as_fields(last), "seq": last.seq + 1, "subject": subject,
                  "prev_hash": last.hash, "recorded_by": "admin"}
        fields.pop("id")
        digest = ledger.record_hash(fields)
        kid = signature = None
        if signed_by is not None and signed_by.keys is not None:
            kid, signature = signed_by.keys.sign(
                RECORD_CONTEXT, ledger.head_statement(name, fields["seq"], digest))
        session.add(LedgerRecord(**{k: fields[k] for k in ledger.HASHED_FIELDS},
                                 hash=digest, key_id=kid, signature=signature))


def _problems(store: Store, *files: Path) -> list[str]:
    return [str(p) for p in verify(store, trust_of(store), None, list(files)).problems]


def test_every_record_is_signed_and_its_head_written_outside(store: Store,
                                                             tmp_path: Path) -> None:
    store.trust = _trust(tmp_path)
    s = _phase(store, signed=3)
    with store.read_session() as session:
        rows = session.scalars(select(LedgerRecord).order_by(LedgerRecord.seq)).all()
    assert all(r.signature and r.key_id == store.trust.keys.signing_key_id for r in rows)  # type: ignore[union-attr]
    lines = [json.loads(x) for x in (tmp_path / "checkpoints.jsonl").read_text().splitlines()]
    assert [(x["ledger"], x["seq"]) for x in lines] == [(s["ledger"], i) for i in (1, 2, 3)]
    result = verify(store, trust_of(store))
    assert result.problems == [] and result.signed and result.checked == 3
    assert [(x.name, x.records, x.signed) for x in result.ledgers] == [(s["ledger"], 3, 3)]


def test_a_forged_record_with_a_correct_hash_is_found_and_not_counted(store: Store,
                                                                      tmp_path: Path) -> None:
    store.trust = _trust(tmp_path)
    s = _phase(store)
    assert phase_service.gate(store, ADMIN, s["phase"])["signed"] == 8
    _forge(store, s["ledger"], "P8")
    problems = _problems(store)
    assert any(f"{s['ledger']} #9" in p and "not signed" in p for p in problems), problems
    view = phase_service.phase_overview(store, ADMIN, s["phase"])
    assert view["gate"]["signed"] == 8 and not view["gate"]["allowed"]
    assert view["gate"]["ledger_intact"] is False and not view["ledger"]["intact"]
    with pytest.raises(LedgerBroken) as info:
        phase_service.record_agreement(store, ADMIN, s["phase"], "P9", dt.date(2026, 5, 2))
    assert info.value.code == "ledger_broken" and s["ledger"] in str(info.value)


def test_a_record_signed_with_another_key_is_not_trusted(store: Store, tmp_path: Path) -> None:
    store.trust = _trust(tmp_path)
    s = _phase(store, signed=2)
    _forge(store, s["ledger"], "P2", signed_by=_trust(tmp_path, "intruder.pem"))
    problems = _problems(store)
    assert any("#3" in p and "not a trusted ledger key" in p for p in problems), problems


def test_the_gate_stays_closed_while_the_ledger_is_broken(store: Store, tmp_path: Path) -> None:
    store.trust = _trust(tmp_path)
    s = _phase(store, people=10, signed=8)
    phase_service.transition(store, ADMIN, s["phase"], "signing")
    _forge(store, s["ledger"], "P8")
    _forge(store, s["ledger"], "P9")
    with pytest.raises(GateClosed) as info:
        phase_service.transition(store, ADMIN, s["phase"], "demolition")
    decision = info.value.to_dict()["gate"]
    assert decision["signed"] == 8 and decision["ledger_problems"]
    assert "fails its checks" in str(info.value)


def test_a_whole_ledger_deleted_is_found_by_the_file_and_the_checkpoint(
        store: Store, tmp_path: Path) -> None:
    store.trust = _trust(tmp_path)
    s = _phase(store, signed=4)
    exported = make_checkpoint(store, store.trust, "auditor")
    (tmp_path / "exported.json").write_text(json.dumps(exported), encoding="utf-8")
    with store.session() as session:
        session.execute(delete(LedgerRecord))
        session.execute(delete(AuditEvent).where(AuditEvent.entity_type == "ledger"))
    problems = _problems(store)
    assert any(s["ledger"] in p and "ends at #0" in p for p in problems), problems
    # deleting the database's checkpoints too: the file outside still says it
    with store.session() as session:
        session.execute(delete(LedgerCheckpoint))
    problems = _problems(store)
    assert any("checkpoints.jsonl" in p and "ends at #0" in p for p in problems), problems
    # without the file, an exported checkpoint given to verify says it
    store.trust = LedgerTrust(store.trust.keys, None)
    assert _problems(store) == []
    problems = _problems(store, tmp_path / "exported.json")
    assert any("records at the end were removed" in p for p in problems), problems


def test_the_last_record_and_its_audit_event_deleted_are_found(store: Store,
                                                               tmp_path: Path) -> None:
    store.trust = _trust(tmp_path)
    s = _phase(store, signed=5)
    with store.session() as session:
        session.execute(delete(LedgerRecord).where(LedgerRecord.seq == 5))
        last = session.scalar(select(func.max(AuditEvent.id)).where(
            AuditEvent.entity_type == "ledger"))
        session.execute(delete(AuditEvent).where(AuditEvent.id == last))
    problems = _problems(store)
    assert any(f"{s['ledger']} #5" in p and "records at the end were removed" in p
               for p in problems), problems
    with pytest.raises(LedgerBroken):
        phase_service.record_agreement(store, ADMIN, s["phase"], "P7", dt.date(2026, 5, 2))


def test_a_forged_checkpoint_states_nothing(store: Store, tmp_path: Path) -> None:
    store.trust = _trust(tmp_path, anchor=False)
    s = _phase(store, signed=3)
    made = make_checkpoint(store, store.trust, "auditor")
    with store.session() as session:
        row = session.get(LedgerCheckpoint, made["id"])
        assert row is not None
        row.ledgers = {s["ledger"]: {"length": 1, "head": made["ledgers"][s["ledger"]]["head"]}}
    problems = _problems(store)
    assert any("checkpoint of" in p and "does not match" in p for p in problems), problems


def test_a_rolled_back_record_never_reaches_the_file(store: Store, tmp_path: Path) -> None:
    store.trust = _trust(tmp_path)
    _phase(store, signed=1)
    with pytest.raises(RuntimeError), store.session() as session:
        ledger.append(session, store.trust, ledger="signing:project:999", project_id=None,
                      phase_id=None, subject="X", action="sign", effective_on=dt.date(2026, 1, 1),
                      recorded_by="t")
        raise RuntimeError("the use case fails after the append")
    lines = (tmp_path / "checkpoints.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["ledger"] != "signing:project:999"
    assert _problems(store) == []


def test_records_made_before_the_key_are_adopted_once_checked(store: Store,
                                                              tmp_path: Path) -> None:
    s = _phase(store, signed=3)  # no key yet
    store.trust = _trust(tmp_path)
    assert any("not signed" in p for p in _problems(store))
    with pytest.raises(Exception, match="why"):
        adopt_unsigned(store, store.trust, "admin", "  ")
    assert adopt_unsigned(store, store.trust, "admin", "signed on taking the key into use") == 3
    assert _problems(store) == []
    _forge(store, s["ledger"], "P3")
    with pytest.raises(LedgerBroken):  # a forged record is found and never adopted
        with store.session() as session:
            session.execute(delete(LedgerRecord).where(LedgerRecord.seq == 2))
        adopt_unsigned(store, store.trust, "admin", "again")


def test_keys_are_made_once_kept_private_and_required_in_production(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ledger.pem"
    made = runner.invoke(app, ["ledger", "keygen", str(path)])
    assert made.exit_code == 0, made.output
    assert "BEGIN PUBLIC KEY" in made.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = runner.invoke(app, ["ledger", "keygen", str(path)])
    assert again.exit_code != 0 and "never overwritten" in str(again.exception)
    with pytest.raises(ConfigurationError, match="not a PEM"):
        load_keys(str(_not_a_key(tmp_path)))
    with pytest.raises(ValueError, match="ledger signing key"):
        Settings(mode="production", secret_key="x" * 40)
    assert Settings(mode="production", secret_key="x" * 40,
                    ledger_key_file=str(path)).ledger_key_file == str(path)


def _not_a_key(tmp_path: Path) -> Path:
    bad = tmp_path / "not-a-key.pem"
    bad.write_text("hello", encoding="utf-8")
    return bad


def test_cli_verify_checkpoint_and_export(store: Store, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "ledger.pem"
    generate_key_file(key)
    monkeypatch.setenv("LANDRENEW_LEDGER_KEY_FILE", str(key))
    store.trust = _trust(tmp_path, anchor=False)
    s = _phase(store, signed=2)
    out = tmp_path / "cp.json"
    made = runner.invoke(app, ["--db", store.url, "ledger", "checkpoint", "--output", str(out)])
    assert made.exit_code == 0, made.output
    assert json.loads(out.read_text())["ledgers"][s["ledger"]]["length"] == 2
    ok = runner.invoke(app, ["--db", store.url, "ledger", "verify", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["ledgers"][0]["signed"] == 2
    with store.session() as session:
        session.execute(delete(LedgerRecord).where(LedgerRecord.seq == 2))
        session.execute(delete(LedgerCheckpoint))
        session.execute(delete(AuditEvent).where(AuditEvent.entity_type == "ledger"))
    cut = runner.invoke(app, ["--db", store.url, "ledger", "verify", "--checkpoint", str(out)])
    assert cut.exit_code != 0 and s["ledger"] in cut.output
    assert "records at the end were removed" in cut.output
