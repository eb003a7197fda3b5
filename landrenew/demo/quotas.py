"""Demo quota ledgers (示例指标台账) of 广州市 and its 白云区, booked through the same services a
user calls (signed entries, audited): the year's plan with its ring-fence of 1000 亩, allocations
to the district and to a programme project, a village's reserved land and the offset of the demo
legacy-land check (part of it pre-borrowed), farmland-supplement quota sold beyond the district's
obligation, and the reward of an accepted consolidation pilot."""

from __future__ import annotations

import datetime as dt

from landrenew.compliance.service import quota_offsets
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.store import Store
from landrenew.projects import service as projects
from landrenew.quotas import service

CITY, BAIYUN, HUANGPU = "440100", "440111", "440112"
VILLAGE = "鸦岗村"


def build_demo_quotas(store: Store, *, user: str = "demo", on: dt.date | None = None,
                      legacy_checks: list[int] | None = None) -> int:
    """Book the demo entries; how many were booked."""
    day = on or city_today()
    year, start = day.year, dt.date(day.year, 1, 1)
    admin = Principal(user, "admin")
    booked = len(service.plan(store, admin, CITY, year, "3200", "1000", on=start,
                              reason=f"{year}年度土地利用计划（示例）")["entries"])

    def move(kind: str, src: str, dst: str, mu: str, movement: str, reason: str,
             **more: object) -> None:
        nonlocal booked
        annual = kind in ("construction", "ring_fence", "provincial")
        when = more.pop("on", start)
        assert isinstance(when, dt.date)
        service.move(store, admin, kind, src, dst, mu, movement, reason=reason,
                     year=year if annual else None, on=when, **more)  # type: ignore[arg-type]
        booked += 1

    move("construction", f"city:{CITY}", f"district:{BAIYUN}", "800", "allocate",
         "下达白云区年度新增建设用地指标")
    move("construction", f"city:{CITY}", f"district:{HUANGPU}", "600", "allocate",
         "下达黄埔区年度新增建设用地指标")
    move("construction", f"district:{BAIYUN}", "sink:use", "120.5", "use", "某产业园用地报批",
         on=day)
    farm = projects.create_project(store, admin, {
        "name": "钟落潭镇乡村振兴示范片（示例）", "type": "land_consolidation",
        "district_code": BAIYUN, "tags": ["百千万工程"]})["id"]
    move("ring_fence", f"city:{CITY}", f"project:{farm}", "150", "allocate",
         "“百千万工程”专项指标安排", project=farm)
    service.register_village(store, admin, VILLAGE, BAIYUN, preborrow_space_mu="10",
                             reason="示例村集体")
    move("reserved_land", "source:plan", f"city:{CITY}", "200", "plan", "留用地指标（示例）")
    move("reserved_land", f"city:{CITY}", f"district:{BAIYUN}", "60", "allocate",
         "下达白云区留用地指标")
    move("reserved_land", f"district:{BAIYUN}", f"village:{VILLAGE}", "3", "allocate",
         "鸦岗村留用地指标")
    for offset in quota_offsets(store, admin):
        if offset["check_id"] in (legacy_checks or []):
            booked += len(service.offset_from_check(store, admin, offset["check_id"],
                                                    on=day)["entries"])
    move("farmland_supplement", "source:reclaimed", f"district:{BAIYUN}", "80", "plan",
         "白云区自行垦造补充耕地（本级投资）")
    service.set_obligation(store, admin, BAIYUN, "50", reason="白云区耕地占补平衡任务（示例）")
    move("farmland_supplement", f"district:{BAIYUN}", f"district:{HUANGPU}", "20", "transfer",
         "节余补充耕地指标有偿转让", evidence="示例转让协议")
    pilot = projects.create_project(store, admin, {
        "name": "人和镇全域土地综合整治试点（示例）", "type": "land_consolidation",
        "district_code": BAIYUN, "stage": "completed",
        "actual_end": min(day, start + dt.timedelta(days=1))})["id"]
    move("reward", "source:reward", f"district:{BAIYUN}", "11", "reward", "整治试点验收奖励",
         project=pilot, new_farmland_mu="10", revitalised_mu="20", on=day)
    return booked
