"""CLI for the platform (平台): ``serve`` and ``users add / list / disable``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from landrenew.cli.common import console, err_console, state
from landrenew.core.errors import ConfigurationError, InputError

users_app = typer.Typer(help="Platform users and roles (用户).", no_args_is_help=True)


def run_server(host: str, port: int) -> None:
    """Serve the API with uvicorn (settings validated first: production needs a real secret)."""
    import uvicorn
    from pydantic import ValidationError

    from landrenew.api import create_app

    try:
        app = create_app(state.settings())
    except ValidationError as exc:
        raise ConfigurationError(exc.errors()[0]["msg"], field="secret_key") from exc
    app.state.store.ensure_current()
    console.print(f"landrenew serving on [bold]http://{host}:{port}/[/bold] "
                  f"(OpenAPI http://{host}:{port}/api/openapi.json)")
    uvicorn.run(app, host=host, port=port, log_level="info")


def serve_cmd(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Serve the platform (REST API at /api, OpenAPI at /api/openapi.json)."""
    run_server(host, port)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(help="admin, city_staff, district_staff or viewer")],
    district: Annotated[list[str] | None, typer.Option(
        help="District code (district_staff; repeat for several)")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input")] = False,
) -> None:
    """Add a user; the password is read from stdin (never from the command line)."""
    from landrenew.core.auth import create_user

    if not password_stdin:
        raise InputError("give the password on standard input with --password-stdin",
                         field="password")
    password = sys.stdin.readline().rstrip("\r\n")
    user = create_user(state.store(), name, role, password, districts=district or [],
                       actor=state.settings().user)
    console.print(f"user [bold]{user.name}[/bold] added as {user.role}"
                  + (f" for {', '.join(user.districts)}" if user.districts else ""))


@users_app.command("list")
def users_list() -> None:
    """Users, their roles, districts and whether they are active."""
    from landrenew.core.access import ROLES
    from landrenew.core.auth import list_users

    _, users = list_users(state.store())
    table = Table(title="用户 users")
    for col in ("name", "role", "districts", "active", "created", "by"):
        table.add_column(col)
    for u in users:
        table.add_row(u.name, f"{u.role} {ROLES.get(u.role, '')}", ", ".join(u.districts),
                      "yes" if u.is_active else "[red]disabled[/red]",
                      f"{u.created_at:%Y-%m-%d %H:%M}", u.created_by)
    console.print(table)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument()]) -> None:
    """Disable a user (kept for the audit trail; tokens stop working at once)."""
    from landrenew.core.auth import set_active

    set_active(state.store(), name, False, actor=state.settings().user)
    err_console.print(f"user {name} disabled")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
    app.add_typer(users_app, name="users")
