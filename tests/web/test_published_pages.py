"""Pages say which run they show: the published one, never a trial nor a run not yet published;
city staff publish a run from the dashboard."""

from __future__ import annotations

import datetime as dt
import re

from landrenew.evaluation.stored import run_on_store

from api.conftest import World


def _shown(html: str) -> str:
    m = re.search(r'id="shown-run">([^<]*)<', html)
    assert m, "the page says which run it shows"
    return m.group(1)


def test_pages_show_the_published_run_and_staff_publish_another(world: World) -> None:
    first = world.run_id
    trial = run_on_store(world.store, "jiangmen", as_of=dt.date(2025, 6, 30), data_as_of=None,
                         user="t").run.id
    newer = run_on_store(world.store, as_of=dt.date(2026, 6, 30), data_as_of=None,
                         user="t").run.id
    public = world.page("anonymous")
    assert f"已发布的第 {first} 次认定" in _shown(public.get("/").text)
    card = public.get("/pages/parcels/JM-0002/card").text
    assert re.search(rf'id="card-run">\(已发布批次 {first},', card)
    staff = world.page("city_staff")
    assert f"已发布的第 {first} 次认定" in _shown(staff.get("/parcels").text)

    dash = staff.get("/dashboard").text  # opens on the published run
    assert 'data-published="true"' in dash and 'id="publish-run"' not in dash
    dash = staff.get(f"/dashboard?run={trial}").text
    assert "试算" in dash and 'id="publish-run"' not in dash
    dash = staff.get(f"/dashboard?run={newer}").text
    assert f"地图和地块卡片显示的是第 {first} 次认定" in dash and 'id="publish-run"' in dash
    assert 'id="publish-run"' not in world.page("viewer").get(f"/dashboard?run={newer}").text

    r = staff.post("/dashboard/publish", data={"csrf_token": world.csrf("city_staff"),
                                               "run": str(trial)})
    assert r.status_code == 409 and "试算" in r.text  # refused in Chinese, nothing published
    r = staff.post("/dashboard/publish", data={"csrf_token": world.csrf("city_staff"),
                                               "run": str(newer), "reason": "终期评估"})
    assert r.status_code == 200 and 'data-published="true"' in r.text
    assert f"已发布的第 {newer} 次认定" in _shown(public.get("/").text)
    assert re.search(rf'id="card-run">\(已发布批次 {newer},',
                     public.get("/pages/parcels/JM-0002/card").text)
