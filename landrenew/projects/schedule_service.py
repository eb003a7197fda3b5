"""A phase's construction plan (建设计划) under 公益先行 (public-welfare works first): kept only
when its public-welfare works start first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from landrenew.core import audit
from landrenew.core.access import Principal, require_write, require_write_district
from landrenew.core.errors import Conflict
from landrenew.core.store import Store
from landrenew.core.store.models import PhasePerson
from landrenew.projects.phase_checks import phase_rules
from landrenew.projects.phase_service import phase_of, phase_record
from landrenew.projects.phasing import PublicWelfareFirstCheck, public_welfare_first_check


class PublicWelfareNotFirst(Conflict):
    """A construction schedule refused by 公益先行 (public-welfare works first): 409 with the
    check (reason, offending works, dates, rule and clause)."""

    code = "public_welfare_not_first"

    def __init__(self, check: PublicWelfareFirstCheck) -> None:
        super().__init__(check.explain(), field="works")
        self.check = check.as_dict()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), **self.check}



def set_schedule(store: Store, user: Principal, phase_id: int, works: list[dict[str, Any]],
                 *, reason: str | None = None) -> dict[str, Any]:
    """The construction plan of a phase (建设计划: works with kind, start and finish), kept only
    when its public-welfare works start first (公益先行); otherwise 409
    ``public_welfare_not_first`` with the check and nothing stored. Bad works are 422 naming the
    row and field. Audited with the plan before and after."""
    require_write(user)
    store.ensure_current()
    with store.session() as session:
        phase, project = phase_of(session, user, phase_id)  # 404 outside the user's districts
        require_write_district(user, project.district_code, "district_code")
        rules = phase_rules(project)
        check = public_welfare_first_check(works, rules, path="works")
        if not check.allowed:
            raise PublicWelfareNotFirst(check)
        schedule = [{"name": w.name, "kind": w.kind, "start": w.start.isoformat(),
                     "finish": w.finish.isoformat()} for w in check.works]
        result = check.as_dict()
        before = {"schedule": phase.schedule,
                  "public_welfare_first": (phase.checks or {}).get("public_welfare_first")}
        result = {**result, "pack": rules.id, "pack_version": rules.version}
        phase.schedule = schedule
        phase.checks = {**(phase.checks or {}), "public_welfare_first": result}
        audit.record(session, actor=user.name, action="schedule", entity_type="phase",
                     entity_id=str(phase_id), reason=reason, before=before,
                     after={"schedule": schedule, "public_welfare_first": result})
        session.flush()
        people = session.scalar(select(func.count()).select_from(PhasePerson)
                                .where(PhasePerson.phase_id == phase_id))
        return phase_record(phase, int(people or 0))
