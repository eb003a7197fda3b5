"""CLI for saved field mappings (字段映射): list, show, save from a YAML file, delete.

The command line acts as an administrator (it holds the database); the same mappings are chosen
by uploads in the pages and the API, and by ``landrenew import parcels --mapping NAME``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from landrenew.cli.common import console, show, state
from landrenew.core.access import Principal
from landrenew.core.clock import city_time_text
from landrenew.core.errors import InputError

mappings_app = typer.Typer(help="Field mappings saved for uploads (字段映射).",
                           no_args_is_help=True)


def _admin() -> Principal:
    return Principal(name=state.settings().user, role="admin")


@mappings_app.command("list")
def list_cmd() -> None:
    """The built-in and saved mappings."""
    from landrenew.land.mapping_service import list_mappings

    table = Table("name", "title", "version", "saved by", "saved (北京时间)")
    for m in list_mappings(state.store(), _admin()):
        table.add_row(m["name"], m["title"] or "", "built-in" if m["builtin"] else str(m["version"]),
                      m["changed_by"] or "",
                      city_time_text(m["valid_from"], seconds=False))
    show(table)


@mappings_app.command("show")
def show_cmd(name: Annotated[str, typer.Argument(help="Mapping name")]) -> None:
    """A mapping's fields, recodings and versions."""
    from landrenew.land.mapping_service import mapping_detail

    m = mapping_detail(state.store(), _admin(), name)
    table = Table("source field", "canonical field", title=f"{name}: {m['title'] or ''}")
    for source, target in m["fields"].items():
        table.add_row(source, target)
    show(table)
    for field, recode in m["values"].items():
        console.print(f"values of {field}: {recode}")
    for v in m["history"]:
        console.print(f"v{v['version']} {v['operation']} by {v['changed_by']} "
                      f"{city_time_text(v['valid_from'], seconds=False)} 北京时间 {v['reason'] or ''}")


@mappings_app.command("save")
def save_cmd(name: Annotated[str, typer.Argument(help="Mapping name")],
             path: Annotated[Path, typer.Argument(help="YAML mapping file")],
             reason: Annotated[str | None, typer.Option(help="Why (kept in history)")] = None,
             ) -> None:
    """Save a YAML mapping file under a name (a changed one is a new version)."""
    from landrenew.land.mapping_service import save_mapping

    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the mapping file: {exc}", file=str(path)) from exc
    m = save_mapping(state.store(), _admin(), name, text, reason)
    console.print(f"mapping {name} saved (version {m['version']})")


@mappings_app.command("delete")
def delete_cmd(name: Annotated[str, typer.Argument(help="Mapping name")],
               reason: Annotated[str, typer.Option(help="Why (required)")]) -> None:
    """Delete a saved mapping (its versions stay)."""
    from landrenew.land.mapping_service import delete_mapping

    m = delete_mapping(state.store(), _admin(), name, reason)
    console.print(f"mapping {name} deleted (version {m['version']})")


def register(app: typer.Typer) -> None:
    app.add_typer(mappings_app, name="mappings")
