"""Append-only, tamper-evident ledgers (签约台账、意愿台账).

Each record carries the SHA-256 (Python's ``hashlib``) of its canonical JSON, which includes
the previous record's hash: any edited, removed or reordered record breaks the chain from there
on. A withdrawal is a new record. The pure part (hashing, checking a chain) is separate from the
storage (append under a lock on the ledger, read back for verification).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import LedgerRecord

GENESIS = "0" * 64
HASHED_FIELDS = ("ledger", "seq", "project_id", "phase_id", "subject", "action", "effective_on",
                 "evidence_sha256", "details", "recorded_by", "recorded_at", "prev_hash")


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def record_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of the record's hashed fields as sorted, compact JSON."""
    body = {k: _canonical(fields.get(k)) for k in HASHED_FIELDS}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    ledger: str
    seq: int | None
    record_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.ledger} #{self.seq}" if self.seq is not None else self.ledger
        return f"{where} (row id {self.record_id}): {self.problem}"


def check_chain(ledger: str, records: Iterable[Mapping[str, Any]]) -> list[ChainProblem]:
    """Every problem of one ledger's records given in ``seq`` order: a gap (removed record), a
    record whose hash does not match its content (edited), or a broken link (edited/reordered)."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    for rec in records:
        seq, rid = rec["seq"], rec.get("id")
        if seq != expected_seq:
            problems.append(ChainProblem(ledger, seq, rid, f"sequence jumps from "
                                         f"{expected_seq - 1} to {seq}: a record was removed"))
        if rec["prev_hash"] != prev:
            problems.append(ChainProblem(ledger, seq, rid, "its link to the previous record "
                                         "does not match: a record before it was changed or "
                                         "removed"))
        if record_hash(rec) != rec["hash"]:
            problems.append(ChainProblem(ledger, seq, rid, "its content does not match its "
                                         "hash: the record was edited"))
        prev = rec["hash"]
        expected_seq = seq + 1
    return problems


def ledger_name(kind: str, project_id: int) -> str:
    return f"{kind}:project:{project_id}"


def append(session: Session, *, ledger: str, project_id: int, phase_id: int | None,
           subject: str, action: str, effective_on: dt.date, recorded_by: str,
           evidence_sha256: str | None = None, details: dict[str, Any] | None = None
           ) -> LedgerRecord:
    """Add a record at the end of ``ledger`` (the unique (ledger, seq) index makes a concurrent
    append fail rather than fork the chain)."""
    last = session.execute(select(LedgerRecord.seq, LedgerRecord.hash)
                           .where(LedgerRecord.ledger == ledger)
                           .order_by(LedgerRecord.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    fields = {"ledger": ledger, "seq": seq, "project_id": project_id, "phase_id": phase_id,
              "subject": subject, "action": action, "effective_on": effective_on,
              "evidence_sha256": evidence_sha256, "details": details,
              "recorded_by": recorded_by, "recorded_at": utcnow(), "prev_hash": prev}
    rec = LedgerRecord(**fields, hash=record_hash(fields))
    session.add(rec)
    session.flush()
    return rec


def as_fields(rec: LedgerRecord) -> dict[str, Any]:
    return {"id": rec.id, **{k: getattr(rec, k) for k in HASHED_FIELDS}, "hash": rec.hash}


def verify(store: Store, ledger: str | None = None) -> tuple[int, list[ChainProblem]]:
    """Check every ledger (or one); returns (records checked, problems)."""
    with store.read_session() as session:
        names = [ledger] if ledger else list(session.scalars(
            select(LedgerRecord.ledger).distinct().order_by(LedgerRecord.ledger)))
        checked = 0
        problems: list[ChainProblem] = []
        for name in names:
            rows = [as_fields(r) for r in session.scalars(
                select(LedgerRecord).where(LedgerRecord.ledger == name)
                .order_by(LedgerRecord.seq))]
            checked += len(rows)
            problems += check_chain(name, rows)
            problems += _check_head(session, name, rows)
        return checked, problems


def _check_head(session: Session, name: str, rows: list[dict[str, Any]]) -> list[ChainProblem]:
    """The chain cannot show that its last records were cut off; the audit trail, which notes
    the head (seq, hash) after every append, can."""
    from landrenew.core.store.models import AuditEvent

    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "ledger",
                                                     AuditEvent.entity_id == name)
                            .order_by(AuditEvent.id.desc()).limit(1)).first()
    if event is None or not isinstance(event.after, dict):
        return []
    seq, head = event.after.get("seq"), event.after.get("hash")
    last = rows[-1] if rows else None
    if last is None or last["seq"] < seq:
        return [ChainProblem(name, seq, None, f"the audit trail records #{seq} as the last "
                             f"record, but the ledger ends at #{last['seq'] if last else 0}: "
                             "records at the end were removed")]
    if last["seq"] == seq and last["hash"] != head:
        return [ChainProblem(name, seq, last.get("id"), "the last record differs from the one "
                             "the audit trail recorded")]
    return []


def count(session: Session, ledger: str) -> int:
    return int(session.scalar(select(func.count()).select_from(LedgerRecord)
                              .where(LedgerRecord.ledger == ledger)) or 0)
