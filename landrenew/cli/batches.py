"""Survey batches (调查批次) and their review, and the city settings kept in the database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from landrenew.cli.common import console, show, state
from landrenew.core.clock import city_time_text
from landrenew.core.errors import InputError
from landrenew.core.store import Store

batches_app = typer.Typer(help="Survey batches and their review (调查批次).", no_args_is_help=True)
settings_app = typer.Typer(help="City settings kept in the database.", no_args_is_help=True)


@batches_app.command("list")
def batches_list() -> None:
    """Survey batches and their review status."""
    from landrenew.land.batches import STATUS_ZH, list_batches

    table = Table(title="调查批次 survey batches")
    for col in ("name", "district", "status", "parcels", "submitted by", "submitted (北京时间)", "reasons"):
        table.add_column(col)
    for b in list_batches(state.store()):
        table.add_row(b.name, b.district_code or "", f"{b.status} {STATUS_ZH[b.status]}",
                      str(b.parcel_count), b.submitted_by, city_time_text(b.submitted_at, seconds=False),
                      "; ".join(b.reasons or []))
    show(table)


def _decide(name: str, action: str, reasons: list[str] | None) -> None:
    from landrenew.land.batches import decide

    b = decide(state.store(), name, action, user=state.settings().user, reasons=reasons)
    console.print(f"batch {name}: {b.status}")


@batches_app.command("review")
def batches_review(name: str) -> None:
    """Mark a submitted batch as reviewed (审核)."""
    _decide(name, "review", None)


@batches_app.command("accept")
def batches_accept(name: str) -> None:
    """Accept a reviewed batch (通过)."""
    _decide(name, "accept", None)


@batches_app.command("return")
def batches_return(name: str, reason: Annotated[list[str], typer.Option(help="Reason(s)")]) -> None:
    """Return a batch to the district with reasons (退回)."""
    _decide(name, "return", reason)


@settings_app.command("show")
def settings_show() -> None:
    """Settings in force (environment and database)."""
    from landrenew.core.store import get_setting
    from landrenew.land.visibility import SETTING, parse_names

    s = state.settings()
    store = _checked_store()
    with store.read_session() as session:
        stored = get_setting(session, "projected_crs")
        public = parse_names(get_setting(session, SETTING))
    console.print(f"database: {store.display_url} ({store.caps.name})\nuser: {s.user}\n"
                  f"projected_crs: {s.projected_crs or stored or '(from the data extent)'}\n"
                  f"{SETTING}: {', '.join(public) or '(none: extra attributes are sensitive)'}")


@settings_app.command("set")
def settings_set(key: str, value: str,
                 reason: Annotated[str | None, typer.Option(help="Why (kept in the audit)")]
                 = None) -> None:
    """Set a city setting: projected_crs, or public_attributes (the extra attribute names
    everyone may see, separated by commas; empty for none)."""
    from landrenew.core.access import Principal
    from landrenew.core.audit import record
    from landrenew.core.spatial import check_projected, parse_crs
    from landrenew.core.store import get_setting, put_setting
    from landrenew.land.visibility import SETTING, set_public_attributes

    store = _checked_store()
    user = state.settings().user
    if key == SETTING:
        names = set_public_attributes(store, Principal(name=user, role="admin"), value, reason)
        console.print(f"{key} = {', '.join(names) or '(none)'}; other extra attributes are "
                      "shown only to roles that see sensitive values")
        return
    if key != "projected_crs":
        raise InputError(f"unknown setting '{key}' (known: projected_crs, {SETTING})",
                         field="key")
    crs = check_projected(parse_crs(value))  # type: ignore[arg-type]
    with store.session() as session:
        before = get_setting(session, key)
        put_setting(session, key, f"EPSG:{crs.to_epsg()}", user)
        record(session, actor=user, action="set_setting", entity_type="setting", entity_id=key,
               reason=reason, before=before, after=f"EPSG:{crs.to_epsg()}")
    console.print(f"{key} = EPSG:{crs.to_epsg()} ({crs.name}); areas of new versions use it")


def _checked_store() -> Store:
    store = state.store()
    store.ensure_current()
    return store


def register(app: typer.Typer) -> None:
    app.add_typer(batches_app, name="batches")
    app.add_typer(settings_app, name="settings")
