"""CLI for projects (项目): ``projects list / export`` and the money ledgers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from landrenew.cli.common import console, show, state
from landrenew.core.access import Principal
from landrenew.core.clock import city_today

projects_app = typer.Typer(help="The pilot project library (项目库).", no_args_is_help=True)
finance_app = typer.Typer(help="Consolidation money ledgers (土地整备资金台账).",
                          no_args_is_help=True)


def _cli_user() -> Principal:
    return Principal(name=state.settings().user, role="admin")


@projects_app.command("list")
def list_cmd(
    district: Annotated[str | None, typer.Option(help="District code")] = None,
    type: Annotated[str | None, typer.Option(help="Project type code")] = None,
    overdue: Annotated[bool, typer.Option(help="Only projects past their planned end")] = False,
) -> None:
    """The library by district and type (overdue ones with --overdue)."""
    from landrenew.projects.service import list_projects

    total, items = list_projects(state.store(), _cli_user(), district=district, type=type,
                                 overdue_on=city_today() if overdue else None, limit=1000)
    table = Table("id", "名称", "类型", "行政区", "批次", "阶段", "计划完成", "版本")
    for p in items:
        table.add_row(str(p["id"]), p["name"], p["type_name"] or p["type"], p["district_code"],
                      p["batch"] or "", p["stage_name"] or p["stage"], str(p["planned_end"] or ""),
                      str(p["version"]))
    show(table)
    console.print(f"{total} project(s)")


@projects_app.command("export")
def export_cmd(out: Annotated[Path, typer.Argument(help="Excel file to write (.xlsx)")]) -> None:
    """The library as the pilot report's Excel table (试点项目清单)."""
    from landrenew.projects.reports import library_workbook
    from landrenew.projects.service import list_projects

    _, items = list_projects(state.store(), _cli_user(), limit=100_000)
    out.write_bytes(library_workbook(items, user=state.settings().user))
    console.print(f"{len(items)} project(s) written to {out}")


@projects_app.command("tag")
def tag_cmd(
    project_id: Annotated[int, typer.Argument(help="Project id")],
    tags: Annotated[list[str], typer.Argument(help="Tags to add, e.g. 百千万工程")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove the tags instead")] = False,
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Tag a project (标签; 百千万工程 opens the programme's ring-fenced quota)."""
    from landrenew.projects.service import get_project, update_project

    store, user = state.store(), _cli_user()
    now = list(get_project(store, user, project_id)["tags"])
    new = [t for t in now if t not in tags] if remove else [*now, *tags]
    out = update_project(store, user, project_id, {"tags": new},
                         reason or ("去掉标签 " if remove else "标注 ") + "、".join(tags))
    console.print(f"project {project_id}: tags {', '.join(out['tags']) or '-'}")


@finance_app.command("export")
def finance_export_cmd(
    project_id: Annotated[int, typer.Argument(help="Project id")],
    out: Annotated[Path, typer.Argument(help="Excel file to write (.xlsx)")],
) -> None:
    """A project's cost ledger, fund balance, storage fee and disbursements as Excel."""
    from landrenew.finance.reports import finance_workbook
    from landrenew.finance.service import overview

    view = overview(state.store(), _cli_user(), project_id)
    out.write_bytes(finance_workbook(view, user=state.settings().user))
    console.print(f"project {project_id}: {len(view['costs']['items'])} cost item(s), "
                  f"{len(view['disbursements'])} disbursement(s) written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(finance_app, name="finance")
    app.add_typer(projects_app, name="projects")
