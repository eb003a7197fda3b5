"""CLI for the land database: db, import, export, parcels, stats, batches, settings, demo."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from landrenew.cli.common import console, progress_bar, show, state
from landrenew.core.errors import InputError
from landrenew.land.fields import DATE_FIELDS

DateOpt = Annotated[str | None, typer.Option("--as-of", help="State on this date (YYYY-MM-DD)")]


def parse_day(value: str | None, field: str = "as-of") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"'{value}' is not a date (YYYY-MM-DD)", field=field) from exc


db_app = typer.Typer(help="Database schema (数据库).", no_args_is_help=True)
import_app = typer.Typer(help="Import survey files (成果入库).", no_args_is_help=True)
export_app = typer.Typer(help="Export for QGIS and Excel (导出).", no_args_is_help=True)
parcels_app = typer.Typer(help="Parcels and their history (地块).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    from landrenew.core.store.migrate import upgrade

    store = state.store(create=True)
    rev = upgrade(store.engine)
    console.print(f"database {store.display_url} is at revision [bold]{rev}[/bold] "
                  f"({store.caps.name})")


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision in force."""
    from landrenew.core.store.migrate import current_revision, head_revision

    store = state.store()
    console.print(f"{store.display_url}: {current_revision(store.engine)} (latest {head_revision()})")


@import_app.command("parcels")
def import_parcels_cmd(
    path: Annotated[str, typer.Argument(help="GeoPackage, Shapefile (folder/.zip), GeoJSON, "
                                              "GeoParquet, CSV or Excel")],
    mapping: Annotated[str | None, typer.Option(help="YAML field mapping file, or the name of a "
                                                    "saved or built-in one (chinese, shapefile)")
                       ] = None,
    crs: Annotated[str | None, typer.Option(help="CRS when the file has none, e.g. EPSG:4547")] = None,
    batch: Annotated[str | None, typer.Option(help="Survey batch name")] = None,
    partial: Annotated[bool, typer.Option(help="Store the good rows, report the rest")] = False,
    strict_geometry: Annotated[bool, typer.Option(help="Refuse invalid geometry")] = False,
    encoding: Annotated[str | None, typer.Option(help="Override the file's encoding")] = None,
    layer: Annotated[str | None, typer.Option(help="Layer or sheet to read")] = None,
    attributes: Annotated[str | None, typer.Option(help="Excel sheet joined by parcel_code")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept in history)")] = None,
    report: Annotated[str | None, typer.Option(help="Problem report path (.csv or .json); "
                                              "default beside the file")] = None,
) -> None:
    """Import parcels; all or nothing unless --partial."""
    from landrenew.land.importing import ImportOptions, default_report, import_parcels
    from landrenew.land.mapping_service import resolve_mapping

    settings = state.settings()
    chosen, label = (resolve_mapping(state.store(), mapping)[:2]
                     if mapping is not None and not Path(mapping).exists() else (mapping, None))
    opts = ImportOptions(mapping=chosen, mapping_label=label, crs=crs, encoding=encoding, layer=layer, batch=batch,
                         partial=partial, strict_geometry=strict_geometry, attributes=attributes,
                         reason=reason, report=report or default_report(path))
    with progress_bar() as cb:
        result = import_parcels(state.store(), path, opts, user=settings.user,
                                projected_crs=settings.projected_crs, progress=cb)
    table = Table(title=f"导入 import: {path}")
    for col in ("read", "new", "changed", "unchanged", "refused", "warnings", "亩", "CRS"):
        table.add_column(col, justify="right")
    table.add_row(str(result.rows_read), str(result.inserted), str(result.updated),
                  str(result.unchanged), str(result.refused), str(len(result.warnings)),
                  f"{result.area_mu:,.2f}", result.projected_crs or "")
    show(table)
    if result.report_path:
        console.print(f"problems reported in [bold]{result.report_path}[/bold]")


@import_app.command("zones")
def import_zones_cmd(
    path: Annotated[str, typer.Argument(help="Zone layer file")],
    kind: Annotated[str | None, typer.Option(help="Zone kind (else a 'kind' column)")] = None,
    mapping: Annotated[str | None, typer.Option(help="YAML field mapping")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS when the file has none")] = None,
    encoding: Annotated[str | None, typer.Option()] = None,
    append: Annotated[bool, typer.Option(help="Keep zones missing from the file")] = False,
    strict_geometry: Annotated[bool, typer.Option()] = False,
    reason: Annotated[str | None, typer.Option()] = None,
    report: Annotated[str | None, typer.Option(help="Problem report path (.csv or .json); "
                                              "default beside the file")] = None,
) -> None:
    """Import a zone layer (replaces the layer's state; history is kept)."""
    from landrenew.land.importing import default_report
    from landrenew.land.zones import import_zones

    settings = state.settings()
    with progress_bar() as cb:
        r = import_zones(state.store(), path, kind=kind, user=settings.user, mapping=mapping,
                         crs=crs, encoding=encoding, append=append,
                         strict_geometry=strict_geometry, reason=reason,
                         report=report or default_report(path),
                         projected_crs=settings.projected_crs, progress=cb)
    console.print(f"zones {', '.join(r.kinds)}: read {r.rows_read}, new {r.inserted}, changed "
                  f"{r.updated}, unchanged {r.unchanged}, deleted {r.deleted}")


@import_app.command("districts")
def import_districts_cmd(
    path: Annotated[str, typer.Argument(help="District boundaries (district_code, name)")],
    crs: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Import or update district boundaries."""
    from landrenew.land.districts import import_districts

    settings = state.settings()
    n = import_districts(state.store(), path, user=settings.user, crs=crs,
                         projected_crs=settings.projected_crs)
    console.print(f"{n} districts stored")


@export_app.command("parcels")
def export_parcels_cmd(
    out: Annotated[str, typer.Argument(help=".gpkg .shp .geojson .parquet .xlsx .csv")],
    as_of: DateOpt = None,
    district: Annotated[str | None, typer.Option(help="District code")] = None,
) -> None:
    """Export parcels (current, or as of a date)."""
    from landrenew.land.exporting import export_parcels

    with progress_bar() as cb:
        r = export_parcels(state.store(), out, as_of=parse_day(as_of), district=district,
                           progress=cb)
    console.print(f"{r.count} parcels, {r.area_mu:,.2f} 亩 → [bold]{r.path}[/bold] ({r.format})")
    for extra in r.extra_files:
        console.print(f"field name mapping → {extra}")


@export_app.command("zones")
def export_zones_cmd(
    out: Annotated[str, typer.Argument()],
    kind: Annotated[list[str] | None, typer.Option(help="Only these kinds")] = None,
    as_of: DateOpt = None,
) -> None:
    """Export zone layers."""
    from landrenew.land.exporting import export_zones

    r = export_zones(state.store(), out, kinds=kind, as_of=parse_day(as_of))
    console.print(f"{r.count} zones → [bold]{r.path}[/bold] ({r.format})")


@parcels_app.command("history")
def parcels_history(code: Annotated[str, typer.Argument()],
                    as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every version of a parcel: when (Beijing time), who, why, and each changed field's value
    before and after."""
    from landrenew.core.clock import city_time
    from landrenew.core.units import m2_to_mu
    from landrenew.land.parcels import changed_fields, parcel_history

    def when(at: Any) -> str:
        local = city_time(at)
        return local.isoformat(sep=" ", timespec="seconds") if local else ""

    store = state.store()
    store.ensure_current()
    with store.read_session() as session:
        versions = parcel_history(session, code)
        rows: list[dict[str, Any]] = []
        for i, v in enumerate(versions):
            before = versions[i - 1] if i else None
            fields = changed_fields(before, v)
            rows.append({"version": v.version, "operation": v.operation,
                         "valid_from": when(v.valid_from), "valid_to": when(v.valid_to),
                         "changed_by": v.changed_by, "reason": v.reason or "",
                         "changed": ", ".join(fields),
                         "changes": [{"field": f, "before": _value(before, f),
                                      "after": _value(v, f)} for f in fields],
                         "land_use": v.land_use or "",
                         "area_mu": round(float(m2_to_mu(v.area_m2)), 4) if v.area_m2 else None})
    if as_json or state.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, default=str) + "\n")
        return
    table = Table(title=f"地块 {code} 历史 history（北京时间 Beijing time）")
    for col in ("版本 version", "操作 operation", "起 from", "止 to", "操作人 by", "原因 reason",
                "变更 changes (before → after)", "亩"):
        table.add_column(col)
    for r in rows:
        changes = "\n".join(f"{c['field']}: {_shown(c['before'])} → {_shown(c['after'])}"
                             for c in r["changes"]) if r["version"] > 1 else ""
        table.add_row(str(r["version"]), r["operation"], r["valid_from"], r["valid_to"],
                      r["changed_by"], r["reason"], changes,
                      f"{r['area_mu']:,.4f}" if r["area_mu"] is not None else "")
    show(table)


def _value(version: Any, field: str) -> Any:
    """A changed field's value in a version (the outline is named, not printed)."""
    if version is None:
        return None
    if field == "geometry":
        return "(图形 outline)"
    if field == "deleted":
        return version.is_deleted
    return getattr(version, field, None)


def _shown(value: Any) -> str:
    return "–" if value is None or value == "" else str(value)


@parcels_app.command("show")
def parcels_show(code: Annotated[str, typer.Argument()], as_of: DateOpt = None) -> None:
    """A parcel's attributes (current, or as of a date)."""
    from landrenew.land.parcels import get_parcel

    frame = get_parcel(state.store(), code, as_of=parse_day(as_of))
    row = frame.iloc[0]
    table = Table(title=f"地块 parcel {code}", show_header=False)
    for name in frame.columns:
        if name == "geometry":
            continue
        value = row[name]
        if isinstance(value, pd.Timestamp) and name in DATE_FIELDS:
            value = value.date()
        table.add_row(name, "" if value is None or value is pd.NaT or value != value else str(value))
    show(table)


@parcels_app.command("delete")
def parcels_delete(code: Annotated[str, typer.Argument()],
                   reason: Annotated[str, typer.Option(help="Why (required)")]) -> None:
    """Record a parcel as deleted (its history stays)."""
    from landrenew.land.editing import delete_parcel

    v = delete_parcel(state.store(), code, user=state.settings().user, reason=reason)
    console.print(f"parcel {code} deleted (version {v})")


def stats_cmd(as_of: DateOpt = None,
              district: Annotated[str | None, typer.Option()] = None) -> None:
    """Count and area (亩) by district and land-use class."""
    from landrenew.land.stats import parcel_stats

    df = parcel_stats(state.store(), as_of=parse_day(as_of), district=district)
    table = Table(title="地块统计 parcels by district and land use" + (f" as of {as_of}" if as_of else ""))
    for col, label in (("district", "行政区"), ("land_class", "类"), ("land_class_name", "用地"),
                       ("count", "宗数"), ("area_mu", "面积(亩)"), ("area_ha", "公顷")):
        table.add_column(label, justify="right" if col in ("count", "area_mu", "area_ha") else "left")
    for r in df.itertuples():
        table.add_row(r.district, r.land_class, r.land_class_name, f"{r.count:,}",
                      f"{r.area_mu:,.2f}", f"{r.area_ha:,.2f}")
    show(table)


def demo_cmd(
    parcels: Annotated[int, typer.Option("--parcels", help="Number of parcels")] = 20000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 42,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve it afterwards")] = True,
    force: Annotated[bool, typer.Option(help="Rebuild even if the database has parcels")] = False,
    host: Annotated[str, typer.Option(help="Address to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on")] = 8000,
) -> None:
    """Build the Jiangmen demo database (江门示例库): districts, zones, parcels, an evaluation
    run with the Jiangmen rules and the demo accounts; then serve it (``--no-serve`` to stop).
    When ``LANDRENEW_LEDGER_KEY_FILE`` names a file that does not exist yet, the demo makes its
    ledger key there."""
    from landrenew.demo.build import build_demo

    settings = state.settings()
    key = settings.ledger_key_file
    if key and not Path(key).exists():  # the demo's own key, made once where the setting says
        from landrenew.core.signing import generate_key_file

        kid, _ = generate_key_file(key)
        console.print(f"demo ledger key {kid} made at {key}: ledger records are signed with it")
    with progress_bar() as cb:
        summary = build_demo(state.store(create=True), n=parcels, seed=seed, user=settings.user,
                             force=force, progress=cb)
    console.print(summary.describe())
    if key:
        console.print(f"(the ledgers are signed: keep LANDRENEW_LEDGER_KEY_FILE={key} set for "
                      "`landrenew ledger verify`)")
    if serve:
        from landrenew.cli.platform import run_server

        run_server(host, port)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
    app.add_typer(parcels_app, name="parcels")
    app.command("stats")(stats_cmd)
    app.command("demo")(demo_cmd)
