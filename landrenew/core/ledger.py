"""Append-only, tamper-evident ledgers (签约台账、意愿台账、资金台账).

Each record carries the SHA-256 (Python's ``hashlib``) of its canonical JSON, which includes the
previous record's hash: any edited, removed or reordered record breaks the chain from there on.
A withdrawal is a new record. Each record is also signed (Ed25519, :mod:`landrenew.core.signing`)
with a key the database does not hold, so that whoever can write the database cannot add a
record that verifies; the signed heads go to a file outside the database as they are made, and
signed checkpoints of every ledger are kept (:mod:`landrenew.core.ledger_check`), so that records
cut off the end are found too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from landrenew.core.settings import Settings
from landrenew.core.signing import RECORD_CONTEXT, LedgerKeys, load_keys
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import LedgerRecord

GENESIS = "0" * 64
HASHED_FIELDS = ("ledger", "seq", "project_id", "phase_id", "subject", "action", "effective_on",
                 "evidence_sha256", "details", "recorded_by", "recorded_at", "prev_hash")
_PENDING = "landrenew_ledger_lines"
_LISTENING = "landrenew_ledger_listening"


@dataclass
class AnchorReading:
    """How far this process has read the checkpoint file, and the lines read (a file only ever
    grows; one that shrank is read again from the start)."""

    offset: int = 0
    lines: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, path: Path) -> list[str]:
        with self.lock:
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                return []
            if size < self.offset:
                self.offset, self.lines = 0, []
            if size > self.offset:
                with path.open("rb") as fh:
                    fh.seek(self.offset)
                    chunk = fh.read(size - self.offset)
                whole = chunk[:chunk.rfind(b"\n") + 1]  # only complete lines
                self.lines += whole.decode("utf-8").splitlines()
                self.offset += len(whole)
            return list(self.lines)


@dataclass(frozen=True)
class LedgerTrust:
    """What signs and anchors this process's ledgers: the keys (``None``: records are
    unsigned and the chain proves nothing against a database writer) and the file outside the
    database to which signed heads and checkpoints are appended."""

    keys: LedgerKeys | None = None
    checkpoint_file: Path | None = None
    anchor: AnchorReading = field(default_factory=AnchorReading, compare=False, repr=False)

    def anchor_lines(self) -> list[str]:
        """The checkpoint file's lines (read incrementally)."""
        return self.anchor.read(self.checkpoint_file) if self.checkpoint_file else []

    @property
    def signs(self) -> bool:
        return self.keys is not None and self.keys.signer is not None


UNSIGNED = LedgerTrust()


def trust_of(store: Store) -> LedgerTrust:
    """The trust a store was opened with (unsigned when none)."""
    return store.trust or UNSIGNED


def trust_from(settings: Settings) -> LedgerTrust:
    """The ledger keys and checkpoint file the settings name."""
    publics = [p for p in (settings.ledger_public_keys or "").split(os.pathsep) if p.strip()]
    keys = load_keys(settings.ledger_key_file, publics)
    anchor = Path(settings.ledger_checkpoint_file) if settings.ledger_checkpoint_file else None
    return LedgerTrust(keys, anchor)


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


def head_statement(ledger: str, seq: int, head: str) -> bytes:
    """What a record's signature covers: its ledger, place and hash (the hash covers the rest,
    the previous record's hash included)."""
    return f"{ledger}\n{seq}\n{head}".encode()


def ledger_name(kind: str, project_id: int) -> str:
    return f"{kind}:project:{project_id}"


def append(session: Session, trust: LedgerTrust, *, ledger: str, project_id: int | None,
           phase_id: int | None, subject: str, action: str, effective_on: dt.date,
           recorded_by: str, evidence_sha256: str | None = None,
           details: dict[str, Any] | None = None) -> LedgerRecord:
    """Add a signed record at the end of ``ledger`` (the unique (ledger, seq) index makes a
    concurrent append fail rather than fork the chain). Its signed head is appended to the
    checkpoint file once the transaction commits (never for a rolled-back record)."""
    last = session.execute(select(LedgerRecord.seq, LedgerRecord.hash)
                           .where(LedgerRecord.ledger == ledger)
                           .order_by(LedgerRecord.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    fields = {"ledger": ledger, "seq": seq, "project_id": project_id, "phase_id": phase_id,
              "subject": subject, "action": action, "effective_on": effective_on,
              "evidence_sha256": evidence_sha256, "details": details,
              "recorded_by": recorded_by, "recorded_at": utcnow(), "prev_hash": prev}
    digest = record_hash(fields)
    kid = signature = None
    if trust.signs:
        assert trust.keys is not None
        kid, signature = trust.keys.sign(RECORD_CONTEXT, head_statement(ledger, seq, digest))
    rec = LedgerRecord(**fields, hash=digest, key_id=kid, signature=signature)
    session.add(rec)
    session.flush()
    if trust.checkpoint_file is not None and signature is not None:
        anchor_after_commit(session, trust.checkpoint_file, {
            "type": "record", "ledger": ledger, "seq": seq, "hash": digest, "key_id": kid,
            "signature": signature, "at": _canonical(fields["recorded_at"])})
    return rec


def anchor_after_commit(session: Session, path: Path, line: dict[str, Any]) -> None:
    """Append ``line`` (JSON) to the checkpoint file when ``session`` commits."""
    if not session.info.get(_LISTENING):
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _write_pending)
        event.listen(session, "after_rollback", _drop_pending)
    session.info.setdefault(_PENDING, []).append((path, line))


def _write_pending(session: Session) -> None:
    for path, line in session.info.pop(_PENDING, []):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def as_fields(rec: LedgerRecord) -> dict[str, Any]:
    return {"id": rec.id, **{k: getattr(rec, k) for k in HASHED_FIELDS}, "hash": rec.hash,
            "key_id": rec.key_id, "signature": rec.signature}


def records(session: Session, ledger: str) -> list[LedgerRecord]:
    """A ledger's records in order."""
    return list(session.scalars(select(LedgerRecord).where(LedgerRecord.ledger == ledger)
                                .order_by(LedgerRecord.seq)))


def count(session: Session, ledger: str) -> int:
    return int(session.scalar(select(func.count()).select_from(LedgerRecord)
                              .where(LedgerRecord.ledger == ledger)) or 0)
