"""CLI for compliance checks (合规审查): ``landrenew check KIND REQUESTS.csv|.xlsx --output
OUT.csv|.xlsx`` — every row checked and kept as the command line's user, the result sheet written
(every input column plus ``decision``, ``reasons``, ``pack`` …). Exit code 0 when every row was
decided; 1 when some rows are ``invalid`` or have no rules (the sheet is still written)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from landrenew.cli.common import console, err_console, show, state
from landrenew.cli.land import parse_day
from landrenew.compliance.fields import KIND_FIELDS, KIND_NAMES
from landrenew.core.access import Principal
from landrenew.core.errors import InputError


def check_cmd(
    kind: Annotated[str, typer.Argument(help=f"Kind of check: {', '.join(KIND_FIELDS)}")],
    requests: Annotated[Path, typer.Argument(help="The requests, one a row (.csv or .xlsx)")],
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="Result sheet to write (.csv or .xlsx)")],
    on: Annotated[str | None, typer.Option(help="Decide under the rules in force on this day "
                                                "(YYYY-MM-DD; default today)")] = None,
) -> None:
    """Check a sheet of requests against the compliance rules of each row's district."""
    from landrenew.compliance.batch import SUFFIXES, check_sheet, result_file

    if output.suffix.lower() not in SUFFIXES:
        raise InputError(f"the result is a {' or '.join(SUFFIXES)} file", file=str(output),
                         field="output")
    if not requests.is_file():
        raise InputError("no such file", file=str(requests))
    settings = state.settings()
    user = Principal(name=settings.user, role="admin")
    result = check_sheet(state.store(), user, kind, requests.name, requests.read_bytes(),
                         on=parse_day(on, "on"), projected_crs=settings.projected_crs,
                         source="cli")
    output.write_bytes(result_file(result, output.suffix.lower()))
    table = Table("决定 decision", "行数 rows", title=f"{KIND_NAMES[kind][0]} ({kind})")
    for decision, count in sorted(result.as_dict()["decisions"].items()):
        table.add_row(decision, str(count))
    show(table)
    undecided = result.undecided()
    for row, decision, fields in undecided[:20]:
        err_console.print(escape(f"  {requests.name}: row {row}: {decision} "
                                 f"(field {', '.join(fields)})"), highlight=False)
    if len(undecided) > 20:
        err_console.print(f"  … and {len(undecided) - 20} more in {output}")
    console.print(f"{result.decided} of {len(result.rows)} row(s) decided and kept "
                  f"(batch {result.batch}); result written to {output}")
    if undecided:
        sys.exit(1)


def register(app: typer.Typer) -> None:
    app.command("check")(check_cmd)
