"""CLI for the quota ledgers (指标台账): ``landrenew quotas plan | move | reverse |
offset-legacy | balance | entries | village | obligation | reward | ring-fence | export``.
Refusals exit non-zero with the rule, the account, its balance and the amount."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from landrenew.cli.common import console, state
from landrenew.cli.land import parse_day
from landrenew.core.access import Principal
from landrenew.core.audit import jsonable

quotas_app = typer.Typer(help="Quota ledgers (指标台账): plan, movements, balances.",
                         no_args_is_help=True)

Json = Annotated[bool, typer.Option("--json", help="The answer as JSON")]
On = Annotated[str | None, typer.Option("--on", help="The day (YYYY-MM-DD; default today)")]


def _user() -> Principal:
    return Principal(name=state.settings().user, role="admin")


def _print(value: Any) -> None:
    console.print_json(json.dumps(jsonable(value), ensure_ascii=False))


def _entry_line(e: dict[str, Any]) -> str:
    year = f" {e['year']}" if e.get("year") else ""
    return (f"#{e['id']} {e['on']} {e['kind_name']}{year} {e['movement_name']} "
            f"{e['from']} → {e['to']} {e['mu']} 亩 ({e['rule']})")


@quotas_app.command("plan")
def plan_cmd(
    city: Annotated[str, typer.Option("--city", help="City code, e.g. 440100")],
    year: Annotated[int, typer.Option("--year", help="Plan year")],
    construction_mu: Annotated[str, typer.Option("--construction-mu",
                                                 help="New construction quota of the year (亩)")],
    ring_fence_mu: Annotated[str, typer.Option("--ring-fence-mu",
                                               help="Of which ring-fenced for the programme")],
    on: On = None,
    reason: Annotated[str | None, typer.Option(help="Plan document")] = None,
    as_json: Json = False,
) -> None:
    """Record the year's land-use plan; say whether the ring-fence meets the minimum."""
    from landrenew.quotas.service import plan

    out = plan(state.store(), _user(), city, year, construction_mu, ring_fence_mu,
               on=parse_day(on, "on"), reason=reason)
    if as_json:
        _print(out)
        return
    for e in out["entries"]:
        console.print(_entry_line(e), highlight=False)
    if out["meets"]:
        console.print(f"✓ 专项指标 {out['ring_fence_mu']} 亩，不少于 {out['minimum_mu']} 亩 | the "
                      "ring-fence meets the minimum", highlight=False)
    else:
        console.print(f"✗ 专项指标 {out['ring_fence_mu']} 亩，少于 {out['minimum_mu']} 亩，差 "
                      f"{out['short_by_mu']} 亩 | the ring-fence misses the minimum by "
                      f"{out['short_by_mu']} mu ({out['clause']})", highlight=False)


@quotas_app.command("move")
def move_cmd(
    kind: Annotated[str, typer.Argument(help="construction, ring_fence, provincial, "
                                             "farmland_supplement, reward or reserved_land")],
    source: Annotated[str, typer.Option("--from", help="Holder, e.g. city:440100")],
    target: Annotated[str, typer.Option("--to", help="Holder, e.g. district:440112")],
    mu: Annotated[str, typer.Option("--mu", help="Amount in 亩 (exact decimal)")],
    movement: Annotated[str, typer.Option("--as", help="plan, allocate, use, transfer, reward, "
                                                       "offset, preborrow, repay or cancel")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the entry)")],
    year: Annotated[int | None, typer.Option(help="Year, for annual kinds")] = None,
    project: Annotated[int | None, typer.Option(help="Linked project id")] = None,
    on: On = None,
    evidence: Annotated[str | None, typer.Option(help="Evidence (document number)")] = None,
    village_waived: Annotated[bool, typer.Option(
        help="The village waived its priority to quota freed in it (needs --evidence)")] = False,
    new_farmland_mu: Annotated[str | None, typer.Option(
        help="A reward: the pilot's new farmland (亩)")] = None,
    revitalised_mu: Annotated[str | None, typer.Option(
        help="A reward: the pilot's revitalised construction land (亩)")] = None,
    as_json: Json = False,
) -> None:
    """Book one movement of quota (refused, non-zero, naming the rule and the balance)."""
    from landrenew.quotas.service import move

    e = move(state.store(), _user(), kind, source, target, mu, movement, reason=reason,
             year=year, project=project, on=parse_day(on, "on"), evidence=evidence,
             village_waived=village_waived, new_farmland_mu=new_farmland_mu,
             revitalised_mu=revitalised_mu)
    _print(e) if as_json else console.print(_entry_line(e), highlight=False)


@quotas_app.command("reverse")
def reverse_cmd(
    entry: Annotated[int, typer.Argument(help="Entry id")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is corrected")],
    on: On = None,
    as_json: Json = False,
) -> None:
    """Correct an entry by a reversing entry (冲正)."""
    from landrenew.quotas.service import reverse

    e = reverse(state.store(), _user(), entry, reason=reason, on=parse_day(on, "on"))
    _print(e) if as_json else console.print(_entry_line(e), highlight=False)


@quotas_app.command("offset-legacy")
def offset_cmd(
    village: Annotated[str | None, typer.Option("--village", help="village:NAME or NAME")] = None,
    area_mu: Annotated[str | None, typer.Option("--area-mu",
                                                help="Legacy construction land (亩)")] = None,
    check: Annotated[int | None, typer.Option(
        help="Book the offset of a stored legacy-land check instead")] = None,
    on: On = None,
    as_json: Json = False,
) -> None:
    """Offset 50 % of legacy construction land against the village's reserved land,
    pre-borrowing within its space where needed."""
    from landrenew.core.errors import InputError
    from landrenew.quotas.service import offset_from_check, offset_legacy

    store, day = state.store(), parse_day(on, "on")
    if check is not None:
        out = offset_from_check(store, _user(), check, on=day)
    elif village and area_mu:
        out = offset_legacy(store, _user(), village, area_mu, on=day)
    else:
        raise InputError("give --village and --area-mu, or --check", field="village")
    if as_json:
        _print(out)
        return
    for e in out["entries"]:
        console.print(_entry_line(e), highlight=False)
    console.print(f"村 {out['village']}：抵扣 {out['offset_mu']} 亩（其中预支 "
                  f"{out['preborrowed_mu']} 亩）", highlight=False)


@quotas_app.command("balance")
def balance_cmd(
    kind: Annotated[str | None, typer.Option(help="Quota kind")] = None,
    holder: Annotated[str | None, typer.Option(help="Holder, e.g. village:NAME")] = None,
    year: Annotated[int | None, typer.Option(help="Year (annual kinds)")] = None,
    on: On = None,
    as_json: Json = False,
) -> None:
    """Balances by kind, holder and year at the end of a day."""
    from landrenew.quotas.views import balance_list

    rows = balance_list(state.store(), _user(), kind=kind, holder=holder,
                        on=parse_day(on, "on"), year=year)
    if as_json:
        _print([{k: r[k] for k in ("kind", "holder", "year", "balance_mu")} for r in rows])
        return
    table = Table("指标种类", "持有方", "年度", "余额(亩)")
    for r in rows:
        table.add_row(r["kind_name"], f"{r['holder_name']} ({r['holder']})",
                      str(r["year"] or ""), r["balance_mu"])
    console.print(table)


@quotas_app.command("entries")
def entries_cmd(
    kind: Annotated[str | None, typer.Option(help="Quota kind")] = None,
    holder: Annotated[str | None, typer.Option(help="An account's holder")] = None,
    year: Annotated[int | None, typer.Option(help="Year")] = None,
    as_json: Json = False,
) -> None:
    """The entries (of an account, with its balance after each)."""
    from landrenew.quotas.views import entry_list

    total, rows = entry_list(state.store(), _user(), kind=kind, holder=holder, year=year,
                             limit=100_000)
    if as_json:
        _print(rows)
        return
    for e in rows:
        after = f" → {e['balance_after_mu']} 亩" if "balance_after_mu" in e else ""
        console.print(_entry_line(e) + after, highlight=False)
    console.print(f"{total} entr{'y' if total == 1 else 'ies'}")


@quotas_app.command("village")
def village_cmd(
    name: Annotated[str, typer.Argument(help="Village (行政村) name")],
    district: Annotated[str, typer.Option("--district", help="District code")],
    preborrow_space_mu: Annotated[str | None, typer.Option(
        "--preborrow-space-mu", help="Reserved-land pre-borrowing space (亩)")] = None,
    project: Annotated[list[int] | None, typer.Option(
        help="A project lying in the village (may be repeated)")] = None,
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Register a village collective (and its pre-borrowing space, its projects)."""
    from landrenew.quotas.service import register_village

    out = register_village(state.store(), _user(), name, district,
                           preborrow_space_mu=preborrow_space_mu, projects=project,
                           reason=reason)
    console.print(f"村 {out['village']} ({out['holder']}) 属 {out['district_code']}，预支空间 "
                  f"{out['preborrow_space_mu'] or 0} 亩", highlight=False)


@quotas_app.command("obligation")
def obligation_cmd(
    district: Annotated[str, typer.Option("--district", help="District code")],
    mu: Annotated[str, typer.Option("--mu", help="Farmland balance obligation (亩)")],
    reason: Annotated[str, typer.Option("--reason", help="Why")],
) -> None:
    """Record a district's farmland balance obligation (耕地占补平衡任务)."""
    from landrenew.quotas.service import set_obligation

    out = set_obligation(state.store(), _user(), district, mu, reason=reason)
    console.print(f"{out['district_code']} 占补平衡任务 {out['obligation_mu']} 亩",
                  highlight=False)


@quotas_app.command("reward")
def reward_cmd(
    project: Annotated[int, typer.Argument(help="The consolidation pilot's project id")],
    new_farmland_mu: Annotated[str, typer.Option("--new-farmland-mu")],
    revitalised_mu: Annotated[str, typer.Option("--revitalised-mu")],
    on: On = None,
) -> None:
    """The reward an accepted pilot is due, and the entry to book (nothing is booked)."""
    from landrenew.quotas.service import propose_reward

    _print(propose_reward(state.store(), _user(), project, new_farmland_mu, revitalised_mu,
                          on=parse_day(on, "on")))


@quotas_app.command("ring-fence")
def ring_fence_cmd(
    city: Annotated[str, typer.Option("--city")],
    year: Annotated[int, typer.Option("--year")],
) -> None:
    """The year's ring-fence: planned, allocated, used, left."""
    from landrenew.quotas.views import ring_fence_year

    _print(ring_fence_year(state.store(), _user(), city, year))


@quotas_app.command("export")
def export_cmd(
    out: Annotated[Path, typer.Argument(help="Excel file to write (.xlsx)")],
    kind: Annotated[str | None, typer.Option(help="Quota kind")] = None,
    on: On = None,
) -> None:
    """The ledger, the balances and the ring-fence as the bureau's Excel workbook."""
    from landrenew.quotas.views import export

    out.write_bytes(export(state.store(), _user(), kind=kind, on=parse_day(on, "on")))
    console.print(f"quota ledger written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(quotas_app, name="quotas")
