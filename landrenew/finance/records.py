"""Money decisions kept whole (资金决定记录): the fund-balance study, the storage-fee settlement
and each disbursement, with its inputs, its result and who made it — never changed; the same
submission again (an idempotency key) is the decision already made."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import audit
from landrenew.core.access import Principal
from landrenew.core.errors import Conflict, InputError
from landrenew.core.store import utcnow
from landrenew.core.store.models import FinanceRecord

KINDS = {"fund_balance": "资金平衡初步方案", "storage_settlement": "收储费用核算",
         "disbursement": "资金拨付"}


def keep(session: Session, user: Principal, project_id: int, kind: str,
          inputs: dict[str, Any], result: dict[str, Any],
          idempotency_key: str | None = None) -> dict[str, Any]:
    """Add the decision and its audit record in the caller's session (its transaction)."""
    row = FinanceRecord(project_id=project_id, kind=kind, inputs=audit.jsonable(inputs),
                        result=audit.jsonable(result), recorded_by=user.name,
                        recorded_at=utcnow(), idempotency_key=idempotency_key)
    session.add(row)
    session.flush()
    out = finance_record(row)
    audit.record(session, actor=user.name, action=kind, entity_type="project",
                 entity_id=str(project_id), after={"record": row.id, **out["result_brief"]})
    return out


def brief(kind: str, result: dict[str, Any]) -> dict[str, Any]:
    if kind == "fund_balance":
        base = result.get("balance", {})
        return {"revenue": base.get("revenue"), "surplus": base.get("surplus"),
                "status": base.get("status")}
    if kind == "storage_settlement":
        return {"storage_fee": result.get("storage_fee", {}).get("total")}
    return {"revenue": result.get("revenue"), "to_city": result.get("to_city"),
            "shortfall": result.get("shortfall")}


def replay(session: Session, project_id: int, kind: str, key: str | None,
            inputs: dict[str, Any]) -> dict[str, Any] | None:
    """The decision already made for this submission (the same idempotency key with the same
    inputs: answered again, not made twice); 409 when the key was used for other inputs."""
    if key is None:
        return None
    if not key.strip() or len(key) > 128:
        raise InputError("an idempotency key is 1 to 128 characters", field="idempotency_key")
    row = session.scalar(select(FinanceRecord).where(
        FinanceRecord.project_id == project_id, FinanceRecord.kind == kind,
        FinanceRecord.idempotency_key == key))
    if row is None:
        return None
    given = audit.jsonable(inputs)
    if {k: (row.inputs or {}).get(k) for k in given} != given:
        raise Conflict(f"the idempotency key '{key}' was used for a different {KINDS[kind]} "
                       f"(record {row.id}); use a new key for a new submission",
                       field="idempotency_key", code="idempotency_key_reused")
    return {**finance_record(row), "replayed": True}


def finance_record(row: FinanceRecord) -> dict[str, Any]:
    return {"id": row.id, "project_id": row.project_id, "kind": row.kind,
            "kind_name": KINDS.get(row.kind), "inputs": row.inputs, "result": row.result,
            "result_brief": brief(row.kind, row.result or {}),
            "recorded_by": row.recorded_by, "recorded_at": row.recorded_at}


def kept_records(session: Session, project_id: int, kind: str | None = None) -> list[dict[str, Any]]:
    stmt = select(FinanceRecord).where(FinanceRecord.project_id == project_id)
    if kind:
        stmt = stmt.where(FinanceRecord.kind == kind)
    return [finance_record(r) for r in session.scalars(stmt.order_by(FinanceRecord.id))]
