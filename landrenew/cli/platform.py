"""CLI for the platform (平台): ``serve`` and ``users add / list / disable / password /
assign``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from landrenew.cli.common import console, err_console, show, state
from landrenew.core.clock import city_time_text
from landrenew.core.errors import InputError

users_app = typer.Typer(help="Platform users and roles (用户).", no_args_is_help=True)
tiles_app = typer.Typer(help="The shared vector-tile store (切片库).", no_args_is_help=True)


def run_server(host: str, port: int, workers: int = 1) -> None:
    """Serve the API with uvicorn (settings validated first: production needs a real secret).

    With several workers each process builds the app from the environment, so the database
    chosen with ``--db`` is handed on as ``LANDRENEW_DATABASE_URL``."""
    import os

    import uvicorn

    from landrenew.server import UVICORN_PROXY_HEADERS, create_app

    settings = state.settings()  # a bad setting is refused here, naming it
    app = create_app(settings)
    app.state.store.ensure_current()
    console.print(f"landrenew serving on [bold]http://{host}:{port}/[/bold] "
                  f"(OpenAPI http://{host}:{port}/api/openapi.json)"
                  + (f" with {workers} worker processes" if workers > 1 else ""))
    if workers > 1:
        os.environ["LANDRENEW_DATABASE_URL"] = settings.database_url
        uvicorn.run("landrenew.server:create_app", factory=True, host=host, port=port,
                    workers=workers, log_level="info", proxy_headers=UVICORN_PROXY_HEADERS)
    else:  # forwarded headers are believed by the app, from settings.trusted_proxies only
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=UVICORN_PROXY_HEADERS)


def serve_cmd(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(
        help="Worker processes (one per core on a server; tiles and totals are shared through "
             "the database)")] = 1,
) -> None:
    """Serve the platform (REST API at /api, OpenAPI at /api/openapi.json)."""
    run_server(host, port, workers)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(
        help="admin, city_staff, district_staff, viewer or consolidation_entity")],
    district: Annotated[list[str] | None, typer.Option(
        help="District code (district_staff; repeat for several)")] = None,
    organisation: Annotated[str | None, typer.Option(
        help="consolidation_entity: the company, as the projects' owner company")] = None,
    agency: Annotated[str | None, typer.Option(
        help="Body acted for in the consolidation workflow (e.g. committee, reserve_centre)"
    )] = None,
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
                       actor=state.settings().user, organisation=organisation, agency=agency)
    console.print(f"user [bold]{user.name}[/bold] added as {user.role}"
                  + (f" for {', '.join(user.districts)}" if user.districts else ""))


@users_app.command("list")
def users_list() -> None:
    """Users, their roles, districts and whether they are active."""
    from landrenew.core.access import ROLES
    from landrenew.core.auth import list_users

    _, users = list_users(state.store())
    table = Table(title="用户 users")
    for col in ("name", "role", "districts", "organisation / agency", "active", "created (北京时间)", "by"):
        table.add_column(col)
    for u in users:
        table.add_row(u.name, f"{u.role} {ROLES.get(u.role, '')}", ", ".join(u.districts),
                      " / ".join(x for x in (u.organisation, u.agency) if x),
                      "yes" if u.is_active else "[red]disabled[/red]",
                      city_time_text(u.created_at, seconds=False), u.created_by)
    show(table)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument()]) -> None:
    """Disable a user (kept for the audit trail; tokens stop working at once)."""
    from landrenew.core.auth import set_active

    set_active(state.store(), name, False, actor=state.settings().user)
    err_console.print(f"user {name} disabled")


@users_app.command("password")
def users_password(
    name: Annotated[str, typer.Argument()],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the new password from standard input")] = False,
) -> None:
    """Set a user's password (read from stdin); every session of the user ends."""
    from landrenew.core.auth import change_password

    if not password_stdin:
        raise InputError("give the password on standard input with --password-stdin",
                         field="password")
    password = sys.stdin.readline().rstrip("\r\n")
    ended = change_password(state.store(), name, password, actor=state.settings().user)
    err_console.print(f"password of {name} set; {ended} session(s) ended")


@users_app.command("assign")
def users_assign(
    name: Annotated[str, typer.Argument()],
    district: Annotated[list[str] | None, typer.Option(
        help="District code (district_staff; repeat for several; replaces the user's list)")]
        = None,
    organisation: Annotated[str | None, typer.Option(
        help="consolidation_entity: the company, as the projects' owner company")] = None,
    agency: Annotated[str | None, typer.Option(
        help="Body acted for in the consolidation workflow ('' clears it)")] = None,
) -> None:
    """Assign a user's districts, organisation or agency (what is not given stays)."""
    from landrenew.core.user_admin import assign

    if district is None and organisation is None and agency is None:
        raise InputError("give --district, --organisation or --agency", field="districts")
    user = assign(state.store(), name, actor=state.settings().user, districts=district,
                  organisation=organisation, agency=agency)
    err_console.print(f"user {user.name}: districts {', '.join(user.districts) or '-'}; "
                      f"organisation {user.organisation or '-'}; agency {user.agency or '-'}")


@tiles_app.command("seed")
def tiles_seed(
    min_zoom: Annotated[int, typer.Option(help="Lowest zoom")] = 0,
    max_zoom: Annotated[int, typer.Option(help="Highest zoom")] = 14,
    layer: Annotated[list[str] | None, typer.Option(
        help="Layer to seed (repeat; default parcels and districts)")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Processes rendering tiles (default: one per core)")] = None,
) -> None:
    """Render every city tile into the tile store (run after an import or an evaluation), so
    that the map never waits for a tile; stale tiles are removed."""
    from landrenew.cli.common import progress_bar
    from landrenew.serving.seeding import seed

    with progress_bar() as callback:
        total = [0]
        done = [0]

        def start(n: int) -> None:
            total[0] = n
            callback("tiles", 0, n)

        def step(n: int) -> None:
            done[0] += n
            callback("tiles", done[0], total[0])

        report = seed(state.store(), min_zoom=min_zoom, max_zoom=max_zoom,
                      layers=tuple(layer or ("parcels", "districts")), workers=workers,
                      on_start=start, on_progress=step)
    console.print(f"seeded {report.tiles} tiles ({report.empty} empty, "
                  f"{report.bytes / 1e6:.1f} MB) for data stamp {report.stamp}")


@tiles_app.command("status")
def tiles_status() -> None:
    """Stored tiles per layer, scope and zoom, and how many are current."""
    from landrenew.serving.caches import data_stamp
    from landrenew.serving.tilestore import summary

    store = state.store()
    store.ensure_current()
    stamp = data_stamp(store)
    table = Table(title=f"切片库 tile store (data stamp {stamp})")
    for col in ("layer", "scope", "z", "tiles", "current", "MB", "made"):
        table.add_column(col)
    for r in summary(store, stamp):
        table.add_row(r["layer"], r["scope"], str(r["z"]), str(r["tiles"]), str(r["current"]),
                      f"{r['bytes'] / 1e6:.2f}", str(r["made_at"]))
    show(table)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
    app.add_typer(users_app, name="users")
    app.add_typer(tiles_app, name="tiles")
