"""The consolidation workflow as pages and the API show it (土地整备流程一览): a read model built
from a project, its stored workflow row and a state, with no I/O.

:func:`workflow_overview` gives the pack, the four stages and eleven steps with each
requirement's status and what the user's body may do (provide, close, return, set flags), the
log and provisions with step names, and the willingness gate the caller has read.
"""

from __future__ import annotations

from typing import Any

from landrenew.core.access import Principal
from landrenew.core.errors import LandrenewError
from landrenew.core.store.models import ConsolidationWorkflow as WorkflowRow
from landrenew.core.store.models import Project
from landrenew.projects.consent_service import GATE_ITEM, GATE_STEP
from landrenew.projects.service import require_project_write
from landrenew.projects.vocabulary import PROJECT_TYPES
from landrenew.projects.workflow import ConsolidationWorkflow
from landrenew.projects.workflow_state import ConsolidationState, missing_items


def _may_write(user: Principal, project: Project) -> bool:
    try:
        require_project_write(user, project)
    except LandrenewError:
        return False
    return True


def _project_info(project: Project) -> dict[str, Any]:
    return {"id": project.id, "name": project.name, "type": project.type,
            "type_name": PROJECT_TYPES.get(project.type), "district_code": project.district_code,
            "owner_company": project.owner_company}


def workflow_overview(user: Principal, project: Project, wf: ConsolidationWorkflow,
                      row: WorkflowRow | None, state: ConsolidationState,
                      willingness: dict[str, Any]) -> dict[str, Any]:
    """The workflow as :func:`~landrenew.projects.workflow_service.get_workflow` shows it to
    ``user``: ``row`` is the stored workflow (None before it is started), ``state`` the state to
    show and ``willingness`` the decorated willingness gate
    (:func:`~landrenew.projects.consent_service.gate_dict`)."""
    rules = wf.rules
    role = user.workflow_role
    names = {s.code: (s.number, s.name, s.en) for s in wf.steps}
    statuses = {s.code: wf.requirements(state, s.code) for s in wf.steps}
    steps = []
    for line, sdef in zip(wf.overview(state, statuses), wf.steps, strict=True):
        reqs = []
        for r in statuses[sdef.code]:
            item = r.as_dict()
            item["can_provide"] = role in r.roles
            item["computed"] = (sdef.code, r.code) == (GATE_STEP, GATE_ITEM)
            reqs.append(item)
        steps.append({**line, "basis": sdef.basis, "note": sdef.note,
                      "return_roles": list(sdef.return_roles), "requirements": reqs,
                      "missing_items": missing_items(statuses[sdef.code]),
                      "can_close": role in sdef.roles, "can_return": role in sdef.return_roles})
    stages = [{"code": s.code, "zh": s.zh, "en": s.en, "clause": s.clause,
               "steps": [x.number for x in wf.steps if x.stage == s.code]}
              for s in rules.stages]

    def with_step(entry: dict[str, Any], key: str) -> dict[str, Any]:
        code = entry.get(key)
        if code in names:
            number, name, en = names[code]
            entry[f"{key}_number"], entry[f"{key}_name"], entry[f"{key}_en"] = number, name, en
        return entry

    log = [with_step(with_step(t.model_dump(mode="json"), "step"), "to_step") for t in state.log]
    provisions = [with_step(p.model_dump(mode="json"), "step") for p in state.provisions]
    current = None
    if state.current is not None:
        number, name, en = names[state.current]
        current = {"number": number, "code": state.current, "name": name, "en": en}
    return {
        "project": _project_info(project),
        "started": row is not None,
        "version": 0 if row is None else row.version,
        "updated_at": None if row is None else row.updated_at,
        "updated_by": None if row is None else row.updated_by,
        "pack": {"id": rules.id, "version": rules.version,
                 "title": {"zh": rules.title.zh, "en": rules.title.en},
                 "source": rules.source.title, "status": rules.source.status,
                 "jurisdiction": rules.jurisdiction.code,
                 "jurisdiction_name": rules.jurisdiction.name, "draft": rules.issued_on is None,
                 "issued_on": rules.issued_on,
                 "valid_until": rules.validity.valid_until(rules.issued_on)},
        "pack_version": rules.version,
        "current": current,
        "complete": state.complete,
        "roles": {code: {"zh": r.zh, "en": r.en, "clause": r.clause}
                  for code, r in rules.roles.items()},
        "flags": [{"code": code, "zh": f.zh, "en": f.en, "clause": f.clause,
                   "roles": list(f.roles), "value": bool(state.flags.get(code, False)),
                   "can_set": role in f.roles}
                  for code, f in rules.flags.items()],
        "stages": stages,
        "steps": steps,
        "log": log,
        "provisions": provisions,
        "willingness": willingness,
        "workflow_role": role,
        "can_write": _may_write(user, project),
    }
