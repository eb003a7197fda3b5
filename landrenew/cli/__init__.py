"""The command line (命令行): one Typer app; each domain adds its commands from ``cli/<domain>.py``.

Global options: ``--db URL`` (else ``LANDRENEW_DATABASE_URL``, else ``sqlite:///landrenew.db``),
``--user NAME`` (recorded as ``changed_by``) and ``--json`` (tables as JSON). Tables are drawn
for a terminal and printed as plain, complete tab-separated rows when the output is piped
(:func:`landrenew.cli.common.show`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from landrenew.cli.common import console, fail, state
from landrenew.core.errors import LandrenewError

app = typer.Typer(
    name="landrenew",
    help="landrenew — 低效用地再开发平台 / low-efficiency land redevelopment platform",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global(
    db: Annotated[str | None, typer.Option("--db", help="Database URL (sqlite:///FILE or postgresql://…)",
                                           envvar="LANDRENEW_DATABASE_URL")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Name recorded as changed_by",
                                             envvar="LANDRENEW_USER")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Tables as JSON on stdout (one line per table), messages on stderr")
    ] = False,
) -> None:
    state.database_url = db
    state.user = user
    state.json = as_json
    # with --json stdout carries the JSON alone: every other line goes to stderr
    console.stderr = as_json


def _register() -> None:
    from landrenew.cli import land

    land.register(app)
    from landrenew.cli import batches

    batches.register(app)
    from landrenew.cli import mappings

    mappings.register(app)
    from landrenew.cli import platform

    platform.register(app)
    from landrenew.cli import projects

    projects.register(app)
    from landrenew.cli import rules

    rules.register(app)
    from landrenew.cli import ledger

    ledger.register(app)
    from landrenew.cli import compliance

    compliance.register(app)
    from landrenew.cli import supervision

    supervision.register(app)
    from landrenew.cli import quotas

    quotas.register(app)
    try:
        from landrenew.cli import evaluation
    except ImportError:  # pragma: no cover - evaluation not installed
        return
    evaluation.register(app)


_register()


def main() -> None:
    try:
        app()
    except LandrenewError as exc:
        fail(exc)
    except KeyboardInterrupt:  # pragma: no cover
        console.print("[red]interrupted[/red]")
        sys.exit(130)


__all__ = ["app", "main"]
