"""How the audit trail is said to staff (审计日志的中文名称): entity types and actions by name.

A code that has no name here (a domain added later) is shown as it is stored."""

from __future__ import annotations

from typing import Any

ENTITY_TYPES: dict[str, tuple[str, str]] = {
    "parcel": ("地块", "parcel"),
    "parcel_file": ("地块成果文件", "parcel file"),
    "zone_file": ("管控图层文件", "zone layer file"),
    "district": ("行政区", "district"),
    "survey_batch": ("调查批次", "survey batch"),
    "evaluation_run": ("认定批次", "evaluation run"),
    "setting": ("系统设置", "setting"),
    "user": ("用户", "user"),
    "project": ("项目", "project"),
    "phase": ("分期", "phase"),
    "consent_unit": ("意愿征询单元", "consent unit"),
    "consolidation_workflow": ("土地整备流程", "consolidation workflow"),
    "ledger": ("台账", "ledger"),
    "ledger_checkpoint": ("台账签名检查点", "ledger checkpoint"),
    "ledger_keys": ("台账密钥", "ledger keys"),
}

ACTIONS: dict[str, tuple[str, str]] = {
    "insert": ("新增", "added"),
    "update": ("修改", "changed"),
    "delete": ("删除", "deleted"),
    "import_parcels": ("导入地块", "parcels imported"),
    "import_zones": ("导入管控图层", "zones imported"),
    "evaluate": ("运行认定", "evaluated"),
    "set_setting": ("修改设置", "setting changed"),
    "create_user": ("新建用户", "user created"),
    "enable_user": ("启用/停用用户", "user enabled or disabled"),
    "assign_user": ("分配辖区/单位", "districts or organisation assigned"),
    "add_people": ("登记搬迁对象", "people registered"),
    "transition": ("阶段推进", "moved on"),
    "schedule": ("保存建设计划", "schedule saved"),
    "cost_added": ("登记成本", "cost added"),
    "cost_refused": ("成本不予计入", "cost refused"),
    "fund_balance": ("资金平衡方案", "fund balance"),
    "storage_settlement": ("收储费用核算", "storage fee settled"),
    "disbursement": ("资金拨付", "disbursement"),
    "ledger_sign": ("登记签约", "agreement signed"),
    "ledger_withdraw": ("撤回", "withdrawn"),
    "ledger_consent": ("登记同意", "consent recorded"),
    "ledger_vote": ("登记表决", "vote recorded"),
    "ledger_disburse": ("登记拨付", "payment recorded"),
    "checkpoint": ("生成签名检查点", "checkpoint made"),
    "adopt": ("签名既有记录", "records adopted"),
    "submit_batch": ("提交批次", "batch submitted"),
    "batch_review": ("审核批次", "batch reviewed"),
    "batch_accept": ("通过批次", "batch accepted"),
    "batch_return": ("退回批次", "batch returned"),
    "ignore": ("忽略", "ignored"),
    "workflow_provide": ("提交材料", "item provided"),
    "workflow_close": ("完成步骤", "step closed"),
    "workflow_return": ("退回步骤", "step returned"),
    "workflow_flags": ("设定项目情形", "flags set"),
    "workflow_start": ("启动流程", "workflow started"),
}


def label(table: dict[str, tuple[str, str]], code: str | None, locale: str) -> str:
    if not code:
        return ""
    names = table.get(code)
    if names is None:
        return code
    return names[0] if locale.startswith("zh") else names[1]


def changes(before: Any, after: Any) -> list[dict[str, Any]]:
    """A change as rows of (field, before, after): only the fields that differ, for two dicts;
    one row holding each side whole otherwise."""
    if isinstance(before, dict) and isinstance(after, dict):
        keys = list(dict.fromkeys([*before, *after]))
        return [{"field": k, "before": before.get(k), "after": after.get(k)} for k in keys
                if before.get(k) != after.get(k)]
    if isinstance(after, dict) and before is None:
        return [{"field": k, "before": None, "after": v} for k, v in after.items()]
    if isinstance(before, dict) and after is None:
        return [{"field": k, "before": v, "after": None} for k, v in before.items()]
    if before is None and after is None:
        return []
    return [{"field": "", "before": before, "after": after}]
