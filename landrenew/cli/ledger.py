"""CLI for the ledgers (台账): ``ledger keygen | verify | checkpoint | adopt``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from landrenew.cli.common import console, state
from landrenew.core.errors import LandrenewError

ledger_app = typer.Typer(help="Signing, consent and money ledgers (台账): keys, checks, "
                              "checkpoints.", no_args_is_help=True)


class LedgerVerifyFailed(LandrenewError):
    code = "ledger_broken"
    status = 409


@ledger_app.command("keygen")
def keygen_cmd(
    path: Annotated[Path, typer.Argument(help="Where to write the new private key (must not "
                                              "exist; keep it outside the database)")],
) -> None:
    """Make the Ed25519 key that signs ledger records and checkpoints."""
    from landrenew.core.signing import generate_key_file

    kid, public = generate_key_file(path)
    console.print(f"ledger key {kid} written to {path} (readable by its owner only); set "
                  f"LANDRENEW_LEDGER_KEY_FILE={path}. Its public key, to publish:")
    console.print(public, highlight=False, markup=False)


@ledger_app.command("verify")
def verify_cmd(
    ledger: Annotated[str | None, typer.Option(help="One ledger, e.g. signing:project:3")] = None,
    checkpoint: Annotated[list[Path] | None, typer.Option(
        help="A checkpoint exported earlier (JSON) or a checkpoint file (JSON lines); "
             "may be given more than once")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The result as JSON")] = False,
) -> None:
    """Check every ledger: chain, signatures, and the signed checkpoints and heads (in the
    database, in the checkpoint file of the settings and in the files given). Exits non-zero
    naming each broken ledger and record."""
    from landrenew.core.ledger import trust_of
    from landrenew.core.ledger_check import verify

    store = state.store()
    store.ensure_current()
    result = verify(store, trust_of(store), ledger, checkpoint or [])
    if as_json:
        console.print_json(json.dumps({
            "checked": result.checked, "signed": result.signed, "sources": result.sources,
            "ledgers": [s.as_dict() for s in result.ledgers],
            "problems": [str(p) for p in result.problems]}, ensure_ascii=False))
    else:
        for s in result.ledgers:
            mark = "[green]✓[/green]" if s.intact else "[red]✗[/red]"
            console.print(f"{mark} {s.name}: {s.records} record(s), {s.signed} signed",
                          highlight=False)
        for p in result.problems:
            console.print(f"[red]✗[/red] {p}", markup=True, highlight=False)
        if not result.signed:
            console.print("[yellow]![/yellow] no ledger key is configured: the hash chains were "
                          "checked, but a chain alone proves nothing against whoever can write "
                          "the database (set LANDRENEW_LEDGER_KEY_FILE)", highlight=False)
    if result.problems:
        raise LedgerVerifyFailed(f"{len(result.problems)} problem(s) in {result.checked} "
                                 "ledger record(s)")
    if not as_json:
        console.print(f"✓ {result.checked} ledger record(s) verified against "
                      f"{', '.join(result.sources)}; every ledger is intact")


@ledger_app.command("checkpoint")
def checkpoint_cmd(
    output: Annotated[Path | None, typer.Option(help="Also write the checkpoint (JSON) here, "
                                                     "to keep where the database cannot "
                                                     "reach")] = None,
) -> None:
    """Sign every ledger's length and head now (kept, appended to the checkpoint file, shown)."""
    from landrenew.core.ledger import trust_of
    from landrenew.core.ledger_check import make_checkpoint

    store = state.store()
    store.ensure_current()
    made = make_checkpoint(store, trust_of(store), state.settings().user)
    text = json.dumps(made, ensure_ascii=False, indent=2, sort_keys=True)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    console.print(f"checkpoint #{made['id']} of {len(made['ledgers'])} ledger(s), signed by "
                  f"key {made['key_id']}" + (f", written to {output}" if output else ""))
    if output is None:
        console.print(text, highlight=False, markup=False)


@ledger_app.command("adopt")
def adopt_cmd(
    reason: Annotated[str, typer.Option(help="Why the records are vouched for (kept in the "
                                             "audit trail)")],
) -> None:
    """Sign the records made before the ledger key was configured, once their chains are
    checked intact (a bureau's explicit, audited decision)."""
    from landrenew.core.ledger import trust_of
    from landrenew.core.ledger_check import adopt_unsigned

    store = state.store()
    store.ensure_current()
    signed = adopt_unsigned(store, trust_of(store), state.settings().user, reason)
    console.print(f"{signed} record(s) signed")


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger")
