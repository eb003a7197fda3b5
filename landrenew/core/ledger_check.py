"""Checking ledgers (台账校验): chains, signatures and signed checkpoints.

A ledger is intact when its records follow each other without a gap, each hash matches its
content and links to the previous one, each record is signed by a trusted key, and it is at
least as long as every signed statement of its head says: the latest signed checkpoint in the
database, the signed heads and checkpoints in the file outside the database, a checkpoint
exported earlier, and the audit trail's note of its last append. Whoever can write the database
can still delete the database's own checkpoints with the records; the file and the exported or
printed checkpoints are what they cannot reach (``docs/security.md``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landrenew.core import audit
from landrenew.core.errors import Conflict, InputError
from landrenew.core.ledger import (
    GENESIS,
    LedgerTrust,
    anchor_after_commit,
    as_fields,
    head_statement,
    record_hash,
)
from landrenew.core.signing import CHECKPOINT_CONTEXT, RECORD_CONTEXT, LedgerKeys
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import AuditEvent, LedgerCheckpoint, LedgerRecord


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with a ledger, naming the record (``seq``) where there is one."""

    ledger: str
    seq: int | None
    record_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.ledger} #{self.seq}" if self.seq is not None else self.ledger
        row = f" (row id {self.record_id})" if self.record_id is not None else ""
        return f"{where}{row}: {self.problem}"


@dataclass(frozen=True)
class Head:
    """A signed statement that ``ledger`` had ``length`` records ending in ``head``."""

    ledger: str
    length: int
    head: str
    source: str


class LedgerBroken(Conflict):
    """A decision that counts a ledger's records is refused while the ledger fails its checks
    (409 ``ledger_broken``), naming each problem."""

    code = "ledger_broken"

    def __init__(self, ledger: str, problems: Sequence[ChainProblem]) -> None:
        self.ledger, self.problems = ledger, list(problems)
        listed = "; ".join(str(p) for p in problems[:5])
        super().__init__(f"台账 {ledger} 校验未通过，不能据此作出决定 | the ledger {ledger} fails "
                         f"its checks, so no decision is taken from it: {listed}",
                         field="ledger")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "problems": [str(p) for p in self.problems]}


# ------------------------------------------------------------------------- pure checks


def check_chain(ledger: str, records: Iterable[Mapping[str, Any]],
                keys: LedgerKeys | None = None) -> list[ChainProblem]:
    """Every problem of one ledger's records given in ``seq`` order: a gap (removed record), a
    record whose hash does not match its content (edited), a broken link (edited/reordered),
    and, when ``keys`` are given, a record not signed by a trusted key (added by hand)."""
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
        if keys is not None:
            wrong = keys.verify(RECORD_CONTEXT, head_statement(ledger, seq, rec["hash"]),
                                rec.get("key_id"), rec.get("signature"))
            if wrong:
                problems.append(ChainProblem(ledger, seq, rid, f"{wrong}: the record was not "
                                             "made by the platform"))
        prev = rec["hash"]
        expected_seq = seq + 1
    return problems


def check_heads(ledger: str, records: Sequence[Mapping[str, Any]],
                heads: Iterable[Head]) -> list[ChainProblem]:
    """Problems of a ledger against signed statements of its head: records cut off the end
    (or the whole ledger removed), or a record differing from the one signed."""
    by_seq = {r["seq"]: r for r in records}
    last = max(by_seq, default=0)
    problems: list[ChainProblem] = []
    for h in heads:
        if last < h.length:
            problems.append(ChainProblem(
                ledger, h.length, None, f"{h.source} says the ledger had {h.length} record(s), "
                f"but it ends at #{last}: records at the end were removed"))
        elif by_seq[h.length]["hash"] != h.head:
            problems.append(ChainProblem(ledger, h.length, by_seq[h.length].get("id"),
                                         f"the record differs from the one {h.source} signed"))
    return problems


def checkpoint_statement(made_at: str, ledgers: Mapping[str, Mapping[str, Any]]) -> bytes:
    body = {"made_at": made_at, "ledgers": {k: {"length": v["length"], "head": v["head"]}
                                            for k, v in ledgers.items()}}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def checkpoint_heads(data: Mapping[str, Any], keys: LedgerKeys | None, source: str
                     ) -> tuple[list[Head], list[ChainProblem]]:
    """The heads a checkpoint states, once its signature is checked (a forged checkpoint is a
    problem, and states nothing)."""
    made_at = str(data.get("made_at"))
    ledgers = data.get("ledgers") or {}
    if keys is not None:
        wrong = keys.verify(CHECKPOINT_CONTEXT, checkpoint_statement(made_at, ledgers),
                            data.get("key_id"), data.get("signature"))
        if wrong:
            return [], [ChainProblem(source, None, data.get("id"), f"checkpoint of {made_at}: "
                                     f"{wrong}")]
    return [Head(name, int(v["length"]), str(v["head"]), f"the checkpoint of {made_at}")
            for name, v in ledgers.items()], []


def file_heads(lines: Iterable[str], keys: LedgerKeys | None, source: str
               ) -> tuple[list[Head], list[ChainProblem]]:
    """The heads of a checkpoint file (JSON lines: signed record heads and checkpoints): per
    ledger the longest signed head, and every checkpoint's."""
    heads: dict[str, Head] = {}
    problems: list[ChainProblem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            problems.append(ChainProblem(source, None, None, f"line {number} is not JSON"))
            continue
        if data.get("type") == "checkpoint":
            found, wrong = checkpoint_heads(data, keys, f"{source} line {number}")
            problems += wrong
        else:
            name, seq, digest = str(data.get("ledger")), int(data.get("seq", 0)), data.get("hash")
            if keys is not None:
                bad = keys.verify(RECORD_CONTEXT, head_statement(name, seq, str(digest)),
                                  data.get("key_id"), data.get("signature"))
                if bad:
                    problems.append(ChainProblem(source, None, None, f"line {number}: {bad}"))
                    continue
            found = [Head(name, seq, str(digest), f"{source} (line {number})")]
        for h in found:
            if h.ledger not in heads or heads[h.ledger].length < h.length:
                heads[h.ledger] = h
    return list(heads.values()), problems


# ------------------------------------------------------------------------- the store


def _audit_head(session: Session, name: str) -> list[Head]:
    """The audit trail notes the head (seq, hash) after every append."""
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "ledger",
                                                     AuditEvent.entity_id == name)
                            .order_by(AuditEvent.id.desc()).limit(1)).first()
    if event is None or not isinstance(event.after, dict) or "seq" not in event.after:
        return []
    return [Head(name, int(event.after["seq"]), str(event.after.get("hash")),
                 "the audit trail")]


def _latest_checkpoint(session: Session, keys: LedgerKeys | None
                       ) -> tuple[list[Head], list[ChainProblem]]:
    row = session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc())
                          .limit(1)).first()
    if row is None:
        return [], []
    data = {"id": row.id, "made_at": row.made_at.isoformat(timespec="microseconds"),
            "ledgers": row.ledgers, "key_id": row.key_id, "signature": row.signature}
    return checkpoint_heads(data, keys, f"checkpoint #{row.id}")


@dataclass
class LedgerState:
    """A ledger as checked: its records, how many are signed, and its problems."""

    name: str
    records: int
    signed: int
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def suspect(self) -> set[int]:
        """The ``seq`` of every record a problem names (not to be counted by a decision)."""
        return {p.seq for p in self.problems if p.seq is not None and p.record_id is not None}

    def as_dict(self) -> dict[str, Any]:
        return {"ledger": self.name, "records": self.records, "signed": self.signed,
                "intact": self.intact, "problems": [str(p) for p in self.problems]}


def ledger_state(session: Session, trust: LedgerTrust, name: str,
                 rows: Sequence[LedgerRecord] | None = None) -> LedgerState:
    """One ledger checked as a decision needs it: chain, signatures, the audit trail's head,
    the latest checkpoint in the database and the signed heads of the checkpoint file."""
    if rows is None:
        rows = list(session.scalars(select(LedgerRecord).where(LedgerRecord.ledger == name)
                                    .order_by(LedgerRecord.seq)))
    fields = [as_fields(r) for r in rows]
    problems = check_chain(name, fields, trust.keys)
    heads, wrong = _latest_checkpoint(session, trust.keys)
    if trust.checkpoint_file is not None:
        outside, _ = file_heads(trust.anchor_lines(), trust.keys, trust.checkpoint_file.name)
        heads += outside
    mine = [h for h in heads if h.ledger == name] + _audit_head(session, name)
    problems += wrong + check_heads(name, fields, mine)
    return LedgerState(name, len(rows), sum(1 for r in rows if r.signature), problems)


def require_intact(session: Session, trust: LedgerTrust, name: str,
                   rows: Sequence[LedgerRecord] | None = None) -> None:
    state = ledger_state(session, trust, name, rows)
    if not state.intact:
        raise LedgerBroken(name, state.problems)


@dataclass
class Verification:
    """What ``landrenew ledger verify`` found."""

    ledgers: list[LedgerState]
    problems: list[ChainProblem]
    signed: bool
    sources: list[str]

    @property
    def checked(self) -> int:
        return sum(s.records for s in self.ledgers)


def _heads_of_file(path: Path, keys: LedgerKeys | None
                   ) -> tuple[list[Head], list[ChainProblem]]:
    """A checkpoint exported as one JSON document, or a checkpoint file of JSON lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the checkpoint file {path}: {exc.strerror}",
                         file=str(path)) from None
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict) and whole.get("type") == "checkpoint":
        return checkpoint_heads(whole, keys, path.name)
    return file_heads(text.splitlines(), keys, path.name)


def verify(store: Store, trust: LedgerTrust, ledger: str | None = None,
           checkpoints: Sequence[str | Path] = ()) -> Verification:
    """Check every ledger (or one) against everything that signed its head: the latest
    checkpoint in the database, the checkpoint file of the settings, and ``checkpoints``
    (files exported earlier: a checkpoint's JSON or a checkpoint file's lines)."""
    keys = trust.keys
    heads: list[Head] = []
    problems: list[ChainProblem] = []
    sources = ["database"]
    files = [Path(p) for p in checkpoints]
    if trust.checkpoint_file is not None and trust.checkpoint_file.exists():
        files.insert(0, trust.checkpoint_file)
    for path in files:
        found, wrong = _heads_of_file(path, keys)
        heads += found
        problems += wrong
        sources.append(str(path))
    with store.read_session() as session:
        found, wrong = _latest_checkpoint(session, keys)
        heads += found
        problems += wrong
        names: set[str] = {ledger} if ledger else (
            set(session.scalars(select(LedgerRecord.ledger).distinct()))
            | {n for n in session.scalars(select(AuditEvent.entity_id).where(
                AuditEvent.entity_type == "ledger").distinct()) if n}
            | {h.ledger for h in heads})
        states = []
        for name in sorted(names):
            rows = list(session.scalars(select(LedgerRecord).where(LedgerRecord.ledger == name)
                                        .order_by(LedgerRecord.seq)))
            fields = [as_fields(r) for r in rows]
            own = [h for h in heads if h.ledger == name] + _audit_head(session, name)
            found_problems = check_chain(name, fields, keys) + check_heads(name, fields, own)
            states.append(LedgerState(name, len(rows), sum(1 for r in rows if r.signature),
                                      found_problems))
            problems += found_problems
    return Verification(states, problems, keys is not None, sources)


def make_checkpoint(store: Store, trust: LedgerTrust, actor: str) -> dict[str, Any]:
    """Sign every ledger's length and head now, keep the checkpoint in the database, append it
    to the checkpoint file and return it (to print, export or put in a report)."""
    if not trust.signs:
        raise InputError("no ledger signing key: set LANDRENEW_LEDGER_KEY_FILE to make "
                         "checkpoints", field="ledger_key_file")
    assert trust.keys is not None
    with store.session() as session:
        lengths = dict(session.execute(select(LedgerRecord.ledger, func.max(LedgerRecord.seq))
                                       .group_by(LedgerRecord.ledger)).all())
        ledgers: dict[str, dict[str, Any]] = {}
        for name, seq in sorted(lengths.items()):
            head = session.scalar(select(LedgerRecord.hash).where(LedgerRecord.ledger == name,
                                                                  LedgerRecord.seq == seq))
            ledgers[name] = {"length": int(seq), "head": str(head)}
        made_at = utcnow()
        stamp = made_at.isoformat(timespec="microseconds")
        kid, signature = trust.keys.sign(CHECKPOINT_CONTEXT, checkpoint_statement(stamp, ledgers))
        row = LedgerCheckpoint(made_at=made_at, made_by=actor, ledgers=ledgers, key_id=kid,
                               signature=signature)
        session.add(row)
        session.flush()
        out = {"type": "checkpoint", "id": row.id, "made_at": stamp, "made_by": actor,
               "ledgers": ledgers, "key_id": kid, "signature": signature}
        audit.record(session, actor=actor, action="checkpoint", entity_type="ledger_checkpoint",
                     entity_id=str(row.id), after={"ledgers": len(ledgers), "key_id": kid})
        if trust.checkpoint_file is not None:
            anchor_after_commit(session, trust.checkpoint_file, out)
    return out


def adopt_unsigned(store: Store, trust: LedgerTrust, actor: str, reason: str) -> int:
    """Sign the records made before a key was configured, each ledger only once its chain is
    intact (refused, naming the problems, otherwise); the bureau's decision is audited with its
    reason. Returns how many records were signed."""
    if not trust.signs:
        raise InputError("no ledger signing key: set LANDRENEW_LEDGER_KEY_FILE first",
                         field="ledger_key_file")
    if not reason.strip():
        raise InputError("say why the records are vouched for", field="reason")
    assert trust.keys is not None
    signed = 0
    with store.session() as session:
        names = list(session.scalars(select(LedgerRecord.ledger).where(
            LedgerRecord.signature.is_(None)).distinct().order_by(LedgerRecord.ledger)))
        for name in names:
            rows = list(session.scalars(select(LedgerRecord).where(LedgerRecord.ledger == name)
                                        .order_by(LedgerRecord.seq)))
            problems = check_chain(name, [as_fields(r) for r in rows])
            if problems:
                raise LedgerBroken(name, problems)
            for r in rows:
                if r.signature is None:
                    r.key_id, r.signature = trust.keys.sign(
                        RECORD_CONTEXT, head_statement(name, r.seq, r.hash))
                    signed += 1
            audit.record(session, actor=actor, action="adopt", entity_type="ledger_keys",
                         entity_id=name, reason=reason,
                         after={"records": len(rows), "key_id": trust.keys.signing_key_id})
    return signed
