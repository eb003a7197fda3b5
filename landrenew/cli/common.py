"""What every CLI module shares: the console, global state, progress bars, error exit."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import make_url

from landrenew.core.errors import ConfigurationError, LandrenewError, ValidationFailed
from landrenew.core.said import said, say
from landrenew.core.settings import Settings
from landrenew.core.store import Store
from landrenew.core.store.engine import normalise_url


def _console(stderr: bool = False) -> Console:
    """A console for a terminal, or — when the output goes to a file or a pipe and no COLUMNS is
    set — one that never cuts a line at 80 columns (complete rows, for grep and for scripts)."""
    stream = sys.stderr if stderr else sys.stdout
    if os.environ.get("COLUMNS") or stream.isatty():
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=1_000, soft_wrap=True)


console = _console()
err_console = _console(stderr=True)


@dataclass
class CliState:
    database_url: str | None = None
    user: str | None = None
    #: ``--json``: tables are printed as JSON (one line per table), messages go to stderr.
    json: bool = False

    def settings(self) -> Settings:
        """The settings from the environment (``LANDRENEW_*``) with the global options applied.
        A setting the environment gets wrong (production mode with the default secret, a mode
        that does not exist, a number out of range) is a :class:`ConfigurationError` naming it,
        which every command prints as one line, not pydantic's traceback."""
        try:
            base = Settings()
        except ValidationError as exc:
            first = exc.errors()[0]
            message = str(first["msg"]).removeprefix("Value error, ")
            # the production checks look at several settings together; each names its own
            field = str(first["loc"][0]) if first["loc"] else (
                "ledger_key_file" if "LANDRENEW_LEDGER_KEY_FILE" in message else "secret_key")
            raise ConfigurationError(f"setting LANDRENEW_{field.upper()}: {message}",
                                     field=field) from exc
        updates = {}
        if self.database_url:
            updates["database_url"] = self.database_url
        if self.user:
            updates["user"] = self.user
        return base.model_copy(update=updates)

    def store(self, *, create: bool = False) -> Store:
        """The database of the settings, with the ledger keys they name. A SQLite file that
        does not exist is refused (naming it) unless the command makes databases (``create``):
        a mistyped path must not leave an empty database behind."""
        from landrenew.core.ledger import trust_from

        settings = self.settings()
        url = make_url(normalise_url(settings.database_url))
        if (not create and url.get_backend_name() == "sqlite" and url.database
                and url.database != ":memory:" and not Path(url.database).exists()):
            raise ConfigurationError(
                f"no database at {url.database}: build one with `landrenew demo` or "
                "`landrenew db upgrade`, or name another with --db", field="database_url")
        return Store.open(settings.database_url, trust=trust_from(settings))


state = CliState()


def _plain(cell: object) -> str:
    """A cell's text without markup, on one line (a cell of several lines joined by ' | ')."""
    text = cell.plain if isinstance(cell, Text) else Text.from_markup(str(cell)).plain
    return " | ".join(part.strip() for part in text.splitlines()) if "\n" in text else text


def table_rows(table: Table) -> tuple[list[str], list[list[str]]]:
    """A table's headers and rows as plain text."""
    headers = [_plain(c.header) for c in table.columns]
    columns = [[_plain(cell) for cell in c.cells] for c in table.columns]
    return headers, [list(row) for row in zip(*columns, strict=True)] if columns else []


def show(table: Table) -> None:
    """Print a table as it suits where the output goes (表格输出): drawn for a terminal; as plain,
    complete, tab-separated rows (a ``# title`` line, then the header) when the output goes to a
    file or a pipe, so that nothing is cut at 80 columns; with ``--json`` as one line of JSON
    ``{"title", "rows": [{header: value}]}`` (a command printing several tables prints several
    lines)."""
    headers, rows = table_rows(table)
    title = _plain(table.title) if table.title else None
    if state.json:
        if not table.show_header and len(headers) == 2:  # a key → value card
            doc: object = {"title": title, "rows": [dict(rows)] if rows else []}
        else:
            doc = {"title": title, "rows": [dict(zip(headers, r, strict=True)) for r in rows]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    if console.is_terminal:
        show(table)
        return
    lines = [f"# {title}"] if title else []
    if table.show_header:
        lines.append("\t".join(headers))
    lines += ["\t".join(r) for r in rows]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def fail(exc: LandrenewError) -> None:
    """One clear line (plus the first problems of a refused file) and a non-zero exit."""
    chinese = said(exc)  # Chinese first (the error catalogue), the English under it
    err_console.print(f"[bold red]错误 error[/bold red] {escape(f'[{exc.code}] {chinese}')}",
                      highlight=False, soft_wrap=True)
    if chinese != str(exc):
        err_console.print(escape(f"  {exc}"), highlight=False, soft_wrap=True)
    if isinstance(exc, ValidationFailed):
        for p in exc.problems[:20]:
            where = f"row {p.row}" + (f", field '{p.field}'" if p.field else "")
            err_console.print(escape(f"  {p.file}: {where}: [{p.code}] {say(p.message)}"
                                     f" ({p.message})"), highlight=False)
        if len(exc.problems) > 20:
            err_console.print(f"  … and {len(exc.problems) - 20} more in the report")
    sys.exit(1 if not isinstance(exc, ValidationFailed) else 2)


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar driven by ``callback(step, done, total)``."""
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def callback(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=max(total, 1))
            bar.update(tasks[step], completed=done, total=max(total, 1))

        yield callback
