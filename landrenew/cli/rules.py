"""``landrenew rules``: the rule packs (规则包) of every kind, which one decides where, and the
parameters a bureau has still to confirm.

``rules list`` shows every pack (kind, jurisdiction, period, draft, source file);
``rules which KIND --district CODE [--on DATE]`` prints the pack that would decide and why;
``rules show PACK`` its parameters (and, for an identification standard, its rules);
``rules check [PACK]`` validates packs and lists every ``local_initial`` parameter not yet
confirmed in a bureau's own pack.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from landrenew.cli.common import console, err_console, show
from landrenew.core import packs, places
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError
from landrenew.core.packfiles import PackError, read_yaml
from landrenew.core.packmodels import BASIS_LABELS, KINDS
from landrenew.core.packs import PackInfo

rules_app = typer.Typer(help="Rule packs (规则包): list, which, show and check.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")


def _day(value: str | None) -> dt.date:
    if value is None:
        return city_today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date (use YYYY-MM-DD): {value!r}", field="on") from None


def _period(info: PackInfo) -> str:
    h = info.header
    return f"{h.effective_from} → {h.effective_to or ''}"


@rules_app.command("list")
def rules_list(
    kind: Annotated[str | None, typer.Option("--kind", help=f"Only this kind ({', '.join(KINDS)})")] = None,
) -> None:
    """Every pack: kind, jurisdiction, period, whether it is a draft, where it was read."""
    reg = packs.registry()
    t = Table(title="规则包 rule packs")
    for col in ("kind", "id", "version", "jurisdiction", "in force", "draft", "origin", "source"):
        t.add_column(col)
    for info in reg.all(kind):
        t.add_row(info.kind, info.id, info.version,
                  f"{info.header.jurisdiction.name} {info.jurisdiction}", _period(info),
                  "征求意见稿 draft" if info.draft else "", info.origin, str(info.path))
    show(t)
    for problem in reg.problems:
        err_console.print(f"[red]refused[/red] {problem}")


@rules_app.command("which")
def rules_which(
    kind: Annotated[str, typer.Argument(help=f"Kind of pack: {', '.join(KINDS)}")],
    district: Annotated[str, typer.Option("--district", help="GB/T 2260 code of the place")],
    on: Annotated[str | None, typer.Option("--on", help="Day of the decision YYYY-MM-DD (default today)")] = None,
) -> None:
    """The pack that decides KIND at a place on a day, and why (the packs passed over)."""
    day = _day(on)
    reg = packs.registry()
    code = places.check_code(district)
    console.print(f"{KINDS[kind].zh} ({kind}) · {places.full_name(code)} {code} · {day}"
                  if kind in KINDS else kind)
    for info, why in reg.explain(kind, code, day):
        console.print(f"  {info.label} [{info.header.jurisdiction.name}] {_period(info)}"
                      f"{' 征求意见稿' if info.draft else ''}: {why}")
    chosen = reg.resolve(kind, code, day)  # refuses (no_rules) where none applies
    console.print(f"[bold]{chosen.label}[/bold] decides ({chosen.path})")


def _value(value: Any) -> str:
    if isinstance(value, (list, dict, bool)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _params_table(title: str, params: dict[str, Any]) -> Table:
    t = Table(title=title)
    for col in ("name", "value", "unit", "basis", "clause"):
        t.add_column(col)
    for name, p in params.items():
        value = p.fraction if getattr(p, "fraction", None) else p.value
        t.add_row(name, _value(value),
                  getattr(p, "unit", None) or "", f"{p.basis} {BASIS_LABELS[p.basis][0]}",
                  str(p.clause or ""))
    return t


@rules_app.command("show")
def rules_show(pack: Annotated[str, typer.Argument(help="Pack id (or an identification pack's YAML path)")]) -> None:
    """A pack's header and parameters (an identification standard also lists its rules)."""
    reg = packs.registry()
    info = reg.packs.get(pack)
    if info is None or info.kind == "identification":
        from landrenew.cli.evaluation import show_identification

        show_identification(pack)
        return
    loaded = reg.check(pack)
    h = info.header
    console.print(f"[bold]{h.id}[/bold] {h.version} — {h.title.zh} / {h.title.en}")
    console.print(f"{KINDS[h.kind].zh} ({h.kind}) · {h.jurisdiction.name} {h.jurisdiction.code}"
                  f" · {_period(info)}{' · 征求意见稿 draft' if info.draft else ''} · {info.path}")
    params = getattr(loaded, "parameters", None)
    if params:
        console.print(_params_table("parameters", params))


def _with_file(reg: packs.Registry, path: Path) -> packs.Registry:
    """The registry with one more file (a pack a bureau is writing), checked before it is
    put in ``LANDRENEW_RULES_PATH``; a file that is no pack is refused with its line."""
    data, node = read_yaml(path)
    header = packs.read_header(path, data, node)
    trial = packs.Registry(dict(reg.packs), list(reg.shadowed), [])
    trial.packs.pop(header.id, None)
    trial.add(PackInfo(header, path, "bureau"))
    return trial


@rules_app.command("check")
def rules_check(pack: Annotated[str | None, typer.Argument(help="A pack id or a pack file; default every pack")] = None) -> None:
    """Validate packs (exit 1 naming file:line when one is refused) and list the parameters still
    at their initial value (basis local_initial): the bureau confirms each in its own pack."""
    reg = packs.registry()
    if pack and Path(pack).suffix in (".yaml", ".yml") and Path(pack).is_file():
        reg = _with_file(reg, Path(pack))
        pack = packs.read_header(Path(pack), *read_yaml(Path(pack))).id
    ids = [pack] if pack else sorted(reg.packs)
    problems = list(reg.problems)
    pending = Table(title="待确认的初始参数 local_initial parameters to confirm")
    for col in ("pack", "jurisdiction", "parameter", "value", "clause"):
        pending.add_column(col)
    count = 0
    for pid in ids:
        try:
            loaded = reg.check(pid)
        except PackError as exc:
            problems.append(exc)
            continue
        info = reg.get(pid)
        for name, p in packs.unconfirmed(loaded):
            count += 1
            pending.add_row(pid, f"{info.header.jurisdiction.name} {info.jurisdiction}", name,
                            _value(p.value),
                            str(p.clause or ""))
        console.print(f"[green]ok[/green] {info.kind} {info.label}")
    if count:
        show(pending)
    else:
        console.print("every parameter has a document, a national standard or the bureau's "
                      "confirmation behind it")
    for problem in problems:
        err_console.print(f"[bold red]refused[/bold red] {problem}")
    if problems:
        raise typer.Exit(1)
