"""The quota commands as the issue promises them: plan, move (JSON, refusals non-zero with the
account, balance and amount), village, offset-legacy, balance --json, projects tag, the ledger
check and the Excel export."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from landrenew.cli import app
from landrenew.core.store import Store

from .conftest import CITY, HP, project

runner = CliRunner()


def run(store: Store, *args: str) -> tuple[int, str]:
    """Exit code and output; a refusal's message (the command line prints it as one line)."""
    r = runner.invoke(app, ["--db", store.url, *args])
    return r.exit_code, r.output + (str(r.exception) if r.exception else "")


def test_the_quota_commands(sqlite_store: Store, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    store = sqlite_store
    monkeypatch.setenv("LANDRENEW_DATABASE_URL", store.url)
    code, out = run(store, "quotas", "plan", "--city", CITY, "--year", "2024",
                    "--construction-mu", "3000", "--ring-fence-mu", "999.99",
                    "--on", "2024-01-02")
    assert code == 0 and "0.01" in out and "misses" in out
    code, out = run(store, "quotas", "plan", "--city", CITY, "--year", "2024",
                    "--construction-mu", "3000", "--ring-fence-mu", "1000")
    assert code != 0 and "already" in out
    code, out = run(store, "quotas", "plan", "--city", CITY, "--year", "2025",
                    "--construction-mu", "3000", "--ring-fence-mu", "1000", "--json")
    assert code == 0 and json.loads(out)["meets"] is True
    code, out = run(store, "quotas", "move", "construction", "--from", f"city:{CITY}",
                    "--to", f"district:{HP}", "--mu", "600", "--as", "allocate", "--year",
                    "2025", "--on", "2025-02-01", "--reason", "下达黄埔区", "--json")
    entry = json.loads(out)
    assert code == 0 and entry["mu"] == "600" and entry["to"] == f"district:{HP}"
    code, out = run(store, "quotas", "move", "construction", "--from", f"district:{HP}",
                    "--to", "sink:use", "--mu", "600.01", "--as", "use", "--year", "2025",
                    "--on", "2025-02-02", "--reason", "用地报批")
    assert code != 0 and f"construction/district:{HP}/2025" in out and "600.01" in out

    pid = project(store, "甲村民宿", tags=None)
    code, out = run(store, "projects", "tag", str(pid), "百千万工程")
    assert code == 0 and "百千万工程" in out
    code, out = run(store, "quotas", "move", "ring_fence", "--from", f"city:{CITY}",
                    "--to", f"project:{pid}", "--mu", "10", "--as", "allocate", "--year",
                    "2025", "--on", "2025-02-01", "--reason", "专项安排")
    assert code == 0, out

    code, out = run(store, "quotas", "village", "甲村", "--district", HP,
                    "--preborrow-space-mu", "5")
    assert code == 0 and "5" in out
    code, out = run(store, "quotas", "offset-legacy", "--village", "village:甲村",
                    "--area-mu", "6", "--on", "2025-03-01", "--json")
    assert code == 0 and json.loads(out)["preborrowed_mu"] == "3"
    code, out = run(store, "quotas", "balance", "--holder", "village:甲村", "--json")
    assert json.loads(out) == [{"kind": "reserved_land", "holder": "village:甲村", "year": None,
                                "balance_mu": "-3"}]
    code, out = run(store, "quotas", "balance", "--kind", "construction", "--on", "2025-01-31",
                    "--year", "2025", "--json")
    assert {r["holder"]: r["balance_mu"] for r in json.loads(out)} == {f"city:{CITY}": "2000"}

    code, out = run(store, "ledger", "verify")
    assert code == 0 and f"quota:{CITY}:construction" in out
    xlsx = tmp_path / "quotas.xlsx"
    code, out = run(store, "quotas", "export", str(xlsx))
    assert code == 0
    wb = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert wb.sheetnames[:3] == ["指标台账", "指标余额", "专项指标"]
    rows = list(wb["指标台账"].iter_rows(values_only=True))
    assert rows[0][:8] == ("序号", "记账日期", "指标种类", "年度", "变动类型", "转出方",
                           "转入方", "面积(亩)")
    assert len(rows) == 1 + 7  # 4 plan entries, 2 allocations, 1 pre-borrowing
