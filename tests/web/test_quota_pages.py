"""The quota ledger pages (SQLite and PostGIS): balances with their sparklines and the
ring-fence in Chinese and English, a refusal said in Chinese on the form with its clause, and an
account's entries with the balance after each."""

from __future__ import annotations

import re
from typing import Any

from api.conftest import WEST, World

CITY = "440700"


def _move(w: World, role: str, **data: str) -> Any:
    return w.page(role).post("/quotas/move", data={"csrf_token": w.csrf(role), **data})


def test_the_quota_pages(city: World) -> None:
    admin = city.page("admin")
    r = city.client.post("/api/quotas/plans", headers=city.headers("admin"), json={
        "city": CITY, "year": 2026, "construction_mu": "1500", "ring_fence_mu": "999.99",
        "on": "2026-01-05"})
    assert r.status_code == 201, r.text
    ok = _move(city, "admin", kind="construction", movement="allocate", year="2026",
               **{"from": f"city:{CITY}", "to": f"district:{WEST}"}, mu="500.01",
               on="2026-02-01", reason="下达蓬江区")
    assert ok.status_code == 200 and 'id="quota-entry"' in ok.text
    refused = _move(city, "admin", kind="construction", movement="allocate", year="2026",
                    **{"from": f"city:{CITY}", "to": f"district:{WEST}"}, mu="0.01",
                    on="2026-02-02", reason="追加")
    assert 'id="quota-error"' in refused.text
    assert "余额 0 亩，不足所需的 0.01 亩" in refused.text and "不得为负" in refused.text

    page = admin.get("/quotas", params={"kind": "construction"})
    assert page.status_code == 200
    row = re.search(rf'<tr data-account="construction/district:{WEST}/2026">(.*?)</tr>',
                    page.text, re.S)
    assert row and "蓬江区" in row.group(1) and "500.01" in row.group(1)
    fence = re.search(r'<tr data-year="2026" data-meets="no">(.*?)</tr>', page.text, re.S)
    assert fence and "差 0.01 亩" in fence.group(1)
    assert "指标台账" in page.text and "指标余额" in page.text
    english = admin.get("/quotas?lang=en")
    assert "Quota ledgers" in english.text and "short by 0.01 mu" in english.text

    spark = admin.get("/quotas", params={"kind": "ring_fence"})
    assert "<polyline" not in spark.text  # one movement: no line yet
    account = admin.get("/quotas/account", params={"kind": "construction",
                                                   "holder": f"city:{CITY}", "year": 2026})
    after = re.findall(r'<td class="num">([\d,.\-]+)</td>', account.text)
    assert after == ["500.01", "0"]  # the plan in, the allocation out
    assert "+500.01" in account.text and "−500.01" in account.text


def test_a_project_tagged_through_the_api_receives_ring_fenced_quota(city: World) -> None:
    admin = city.headers("admin")
    r = city.client.post("/api/quotas/plans", headers=admin, json={
        "city": CITY, "year": 2027, "construction_mu": "2000", "ring_fence_mu": "1000"})
    assert r.status_code == 201 and r.json()["meets"] is True
    project = city.client.post("/api/projects", headers=admin, json={
        "name": "杜阮镇乡村振兴项目", "type": "land_consolidation", "district_code": WEST})
    assert project.status_code == 201, project.text
    pid = project.json()["id"]
    body = {"kind": "ring_fence", "from": f"city:{CITY}", "to": f"project:{pid}", "mu": "100",
            "movement": "allocate", "year": 2027, "on": "2027-01-05", "reason": "专项安排"}
    refused = city.client.post("/api/quotas/entries", headers=admin, json=body)
    assert refused.status_code == 409 and refused.json()["rule"].endswith("ring_fence_tagged")
    tagged = city.client.patch(f"/api/projects/{pid}", headers=admin,
                               json={"tags": ["百千万工程"], "reason": "纳入百千万工程"})
    assert tagged.status_code == 200 and tagged.json()["tags"] == ["百千万工程"]
    ok = city.client.post("/api/quotas/entries", headers=admin, json=body)
    assert ok.status_code == 201 and ok.json()["to"] == f"project:{pid}"
    listed = city.client.get("/api/quotas/balances", headers=admin,
                             params={"holder": f"project:{pid}"}).json()
    assert listed == [{"kind": "ring_fence", "kind_name": "“百千万工程”专项指标",
                       "holder": f"project:{pid}", "holder_name": "杜阮镇乡村振兴项目",
                       "year": 2027, "balance_mu": "100"}]
