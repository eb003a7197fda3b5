"""Consolidation projects (土地整备项目): which projects follow a consolidation workflow, and a
project read as a workflow, consent or money use case may see or change it. Shared by
:mod:`~landrenew.projects.workflow_service`, :mod:`~landrenew.projects.consent_service` and
:mod:`landrenew.finance.service`.

A project follows the consolidation scheme its stored workflow names, else the one in force where
it lies today, and only when that scheme covers the project's type
(:func:`project_workflow`; 409 ``not_a_consolidation_project`` otherwise). Reading follows
:func:`landrenew.projects.service.visible_project` (404 outside what the user sees); writing
needs :func:`~landrenew.projects.service.require_project_write` (district writers, or the
consolidation entity owning the project).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict
from landrenew.core.store.models import ConsolidationWorkflow as WorkflowRow
from landrenew.core.store.models import Project
from landrenew.projects.scheme import scheme, scheme_for
from landrenew.projects.service import require_project_write, visible_project
from landrenew.projects.vocabulary import PROJECT_TYPES
from landrenew.projects.workflow import ConsolidationWorkflow, workflow


class NotAConsolidationProject(Conflict):
    """409: the project's type does not follow the consolidation workflow."""

    code = "not_a_consolidation_project"


def project_workflow(session: Session, project: Project) -> ConsolidationWorkflow:
    """The workflow the project follows: the scheme its stored workflow names, else the
    consolidation scheme in force where it lies today (409 ``no_rules`` where the place has
    none); 409 ``not_a_consolidation_project`` when the scheme does not cover the project
    (e.g. whole-area land consolidation, or industrial land not marked as contiguous
    redevelopment)."""
    stored = session.scalar(select(WorkflowRow.pack).where(WorkflowRow.project_id == project.id))
    rules = scheme(stored) if stored is not None else scheme_for(project.district_code,
                                                                  city_today())
    if rules.applies(project.type, bool(project.contiguous_redevelopment)) is None:
        covers = "、".join(
            f"{PROJECT_TYPES.get(a.type, a.type)}"
            + ("（成片连片再开发）" if a.when == "contiguous_redevelopment" else "")
            for a in rules.applies_to)
        raise NotAConsolidationProject(
            f"{rules.title.zh}只适用于{covers}项目 | project {project.id} is of type "
            f"'{project.type}' ({PROJECT_TYPES.get(project.type, project.type)}), which "
            f"{rules.label} does not cover (it covers: "
            + ", ".join(a.type + (" marked contiguous_redevelopment" if a.when else "")
                        for a in rules.applies_to) + ")", field="type")
    return workflow(rules.id)


def bound(session: Session, user: Principal, project_id: int, *, write: bool
          ) -> tuple[Project, ConsolidationWorkflow]:
    """The project as the user may see it (404), may write it (403), with the workflow it
    follows (409 otherwise)."""
    project = visible_project(session, user, project_id)
    if write:
        require_project_write(user, project)
    return project, project_workflow(session, project)


def consolidation_project(session: Session, user: Principal, project_id: int, *,
                          write: bool) -> Project:
    """The project as the user may see it (404), may write it (403) and only when it follows
    a consolidation workflow (409)."""
    return bound(session, user, project_id, write=write)[0]
