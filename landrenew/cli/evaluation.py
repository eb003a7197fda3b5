"""``landrenew evaluate``: identification runs (认定批次).

``landrenew evaluate PARCELS --zones Z --as-of D --output OUT`` is the file mode; without PARCELS
it evaluates the database. Each parcel is judged by the identification pack of its district
(resolved by kind, place and date); ``--rules PACK`` forces one pack on every parcel (a trial).
``landrenew evaluate diff RUN_A RUN_B`` compares runs.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from landrenew.cli.common import console, progress_bar, show, state
from landrenew.core.clock import city_time_text, city_today
from landrenew.core.errors import InputError
from landrenew.evaluation import loader, publishing, stored
from landrenew.evaluation.packs import RulePack

if TYPE_CHECKING:
    # typer vendors click as ``typer._click``: its groups are handed that module's Context
    from typer._click import Context


class DefaultCommandGroup(TyperGroup):
    """A group whose first argument falls back to a default command when it is not a
    subcommand: ``evaluate FILE …`` means ``evaluate run FILE …``."""

    default_command = "run"

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


evaluate_app = typer.Typer(cls=DefaultCommandGroup, help=(
    "Identify low-efficiency land (低效用地认定): `evaluate PARCELS --zones … --output OUT` "
    "(files), `evaluate` (database), each parcel under its own city's standard; `--rules PACK` "
    "forces one pack (a trial); `evaluate diff A B`."))


def register(app: typer.Typer) -> None:
    """Add ``evaluate`` to the main app."""
    app.add_typer(evaluate_app, name="evaluate")


def _date(value: str | None) -> dt.date:
    if value is None:
        return city_today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date (use YYYY-MM-DD): {value!r}", field="as_of") from None


@evaluate_app.command("run")
def evaluate_run(
    parcels: Annotated[Path | None, typer.Argument(help="Parcel file; omit to use the database")] = None,
    rules: Annotated[str | None, typer.Option("--rules", help="Force one rule pack (id or YAML path) on every parcel, a trial; default: each district's own pack")] = None,
    zones: Annotated[list[str] | None, typer.Option("--zones", help="Zone file with a 'kind' column, or KIND=PATH (repeatable)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date YYYY-MM-DD (default today)")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Result file: .gpkg .geojson .parquet .csv .xlsx")] = None,
    summary: Annotated[Path | None, typer.Option("--summary", help="Statistics: .csv or .xlsx")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local or dask")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="dask.distributed scheduler address")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of input files that have none")] = None,
    projected_crs: Annotated[str | None, typer.Option("--projected-crs", help="CRS for areas (default: GK zone of the data)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Threads for the local engine")] = None,
    data_as_of: Annotated[str | None, typer.Option("--data-as-of", help="Database mode: state to evaluate, YYYY-MM-DD or 'current' (default: the --as-of date)")] = None,
) -> None:
    """Evaluate parcels (file mode) or the database (no PARCELS)."""
    day = _date(as_of)
    if parcels is None:
        state_day: dt.date | str | None = ("same" if data_as_of is None else None
                                            if data_as_of == "current" else _date(data_as_of))
        _run_on_database(rules, day, state_day, summary, engine, scheduler)
        return
    if output is None and summary is None:
        raise InputError("give --output and/or --summary", field="output")
    from landrenew.evaluation.files import evaluate_files

    with progress_bar() as cb:
        out = evaluate_files(parcels, zones or [], rules, day, output, summary, engine=engine,
                             scheduler=scheduler, progress=cb, crs=crs,
                             projected_crs=projected_crs, workers=workers)
    _print_counts(out)


def _print_counts(out: Any) -> None:
    t = Table(title=f"{out.title} · {out.as_of} · {len(out.result)} parcels "
              f"· {out.seconds:.1f} s")
    for col in ("kind", "code", "名称", "parcels", "area (亩)"):
        t.add_column(col, justify="right" if col in ("parcels", "area (亩)") else "left")
    for r in out.counts().itertuples():
        t.add_row(r.kind, r.code, r.name, f"{r.parcels:,}", f"{r.area_mu:,.2f}")
    show(t)
    if out.output:
        console.print(f"result → {out.output}")
    for p in out.summary_files:
        console.print(f"statistics → {p}")


def _run_on_database(rules: str | None, day: dt.date, data_as_of: dt.date | str | None,
                     summary: Path | None, engine: str, scheduler: str | None) -> None:
    from landrenew.evaluation.files import EvaluationOutput, summary_tables
    from landrenew.evaluation.report import write_tables

    settings = state.settings()
    t0 = time.perf_counter()
    with progress_bar() as cb:
        kept = stored.run_on_store(state.store(), rules, as_of=day, user=settings.user,
                                   data_as_of=data_as_of, engine=engine, scheduler=scheduler,
                                   progress=cb)
    pack = kept.pack or loader.load_pack(kept.run.pack_id)
    out = EvaluationOutput(kept.result, pack, day, None, seconds=time.perf_counter() - t0,
                           packs=kept.run.packs or {},
                           left_out=(kept.run.summary or {}).get("left_out", {}))
    if summary:
        out.summary_files = write_tables(summary_tables(kept.result, pack, day), summary)
    _print_counts(out)
    for code, why in out.left_out.items():
        console.print(f"[yellow]left out[/yellow] {why['parcels']} parcels of {code}: "
                      f"{why['reason']}")
    for pack_id, kinds in ((kept.run.summary or {}).get("zones_left_out") or {}).items():
        console.print(f"[yellow]zone layers not used by {pack_id}[/yellow]: {', '.join(kinds)}")
    console.print(f"stored as evaluation run [bold]{kept.run.id}[/bold] "
                  f"({out.title}, as of {day})")
    if publishing.is_trial(kept.run):
        console.print("a trial run (试算): it is never published, the map and the cards keep "
                      "the published run")
    else:
        console.print(f"the map and the cards show it once published (未发布): `landrenew "
                      f"evaluate publish {kept.run.id} --reason …`")


@evaluate_app.command("diff")
def evaluate_diff(run_a: str, run_b: str) -> None:
    """Parcels whose categories changed between two stored runs."""
    table = stored.diff_stored_runs(state.store(), stored.run_number(run_a),
                                    stored.run_number(run_b))
    if table.empty:
        console.print(f"no parcel changed its categories or flags between runs {run_a} and {run_b}")
        return
    t = Table(title=f"runs {run_a} → {run_b}: {len(table)} parcels changed")
    for col in table.columns:
        t.add_column(col)
    for row in table.itertuples(index=False):
        t.add_row(*["" if v is None or v != v else str(v) for v in row])
    show(t)


@evaluate_app.command("runs")
def evaluate_runs() -> None:
    """Stored evaluation runs; the published one (已发布) is what the map, cards and public see."""
    from landrenew.evaluation.publishing import is_trial
    from landrenew.evaluation.stored import list_runs

    store = state.store()
    made = publishing.current_publication(store)
    shown = made["run_id"] if made else None
    t = Table(title="认定批次 evaluation runs")
    for col in ("run", "pack", "version", "as of", "parcels", "low-efficiency", "by",
                "at (北京时间)", "status"):
        t.add_column(col)
    for r in list_runs(store):
        status = "已发布 published" if r.id == shown else ("试算 trial" if is_trial(r) else "")
        t.add_row(str(r.id), r.pack_id, r.pack_version, r.as_of.isoformat(), f"{r.parcel_count:,}",
                  f"{r.low_efficiency_count:,}", r.created_by, city_time_text(r.created_at, seconds=False), status)
    show(t)


@evaluate_app.command("publish")
def evaluate_publish(
    run: str,
    reason: Annotated[str | None, typer.Option(help="why this run is published")] = None,
) -> None:
    """Publish a run (发布认定结果): its results become what the map, the parcel cards, the lists
    and the public see. A trial run is refused; the publication is recorded under `--user`."""
    from landrenew.core.access import Principal

    store = state.store()
    who = Principal(name=state.settings().user, role="admin")  # the server's operator
    made = publishing.publish_run(store, who, stored.run_number(run), reason=reason)
    before = made["previous_run_id"]
    console.print(f"published evaluation run [bold]{made['run_id']}[/bold] 已发布"
                  + (f" (replacing run {before})" if before else ""))


def _show(pack: RulePack) -> None:
    console.print(f"[bold]{pack.id}[/bold] {pack.version} — {pack.title.zh} / {pack.title.en}")
    console.print(f"{pack.jurisdiction.name} {pack.jurisdiction.code} · chain: "
                  f"{' → '.join(f'{i} {v}' for i, v in pack.chain)}; in force "
                  f"{pack.effective_from} → {pack.effective_to or 'open'}"
                  f"{' · 征求意见稿 draft' if pack.draft else ''}")
    pt = Table(title="parameters")
    for col in ("name", "value", "unit", "basis", "clause", "set by"):
        pt.add_column(col)
    for name, p in pack.parameters.items():
        pt.add_row(name, json.dumps(p.value, ensure_ascii=False, default=str), p.unit or "",
                   p.basis, str(p.clause or ""), p.set_by or "")
    show(pt)
    rt = Table(title="rules")
    for col in ("id", "sets", "applies to", "clause", "message"):
        rt.add_column(col)
    for r in pack.rules:
        rt.add_row(r.id, f"{r.kind}: {r.output}", ", ".join(r.applies_to), str(r.clause),
                   r.message.zh)
    show(rt)


def show_identification(ref: str) -> None:
    """``rules show`` of an identification standard: parameters and rules after inheritance."""
    _show(loader.load_pack(ref))
