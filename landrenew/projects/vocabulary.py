"""The project library's codes and their Chinese names (项目库代码表), DIGEST §1 and §3."""

from __future__ import annotations

#: 项目类型 — codes fixed by the issue; pages show the Chinese.
PROJECT_TYPES: dict[str, str] = {
    "industrial_upgrade": "工业用地升级改造",
    "sanjiu": "\u201c三旧\u201d改造",
    "linkage": "城乡增减挂钩",
    "demolish_reclaim": "拆旧复垦",
    "land_consolidation": "全域土地综合整治",
    "old_community": "老旧小区改造",
    "urban_village": "城中村改造",
}
#: 批次 (江府函〔2023〕202号 §三(五)(七)): first batch, second batch, roll-out.
BATCHES: dict[str, str] = {"first": "首批", "second": "第二批", "rollout": "推广"}
#: 实施期限
TERMS: dict[str, str] = {"near": "近期", "medium": "中期", "long": "远期"}
#: 政策工具, quoted as 江府函〔2023〕202号 §三(六) names them
INSTRUMENTS: dict[str, str] = {
    "mixed_use": "土地混合开发",
    "composite_space": "空间复合利用",
    "far_bonus": "容积率奖励",
    "cross_unit_balance": "跨空间单元统筹",
    "multi_parcel_linkage": "多地块联动改造",
    "land_quality_upgrade": "土地提质开发",
    "transitional_use": "过渡期开发",
    "land_swap": "建设用地置换",
    "scattered_land": "零星低效用地利用",
    "industrial_intensity": "低效工业用地提升开发强度",
}
#: 项目阶段
STAGES: dict[str, str] = {
    "proposed": "拟入库", "in_library": "已入库", "planning": "前期研究",
    "approved": "方案批复", "implementing": "实施中", "completed": "已完成",
    "withdrawn": "已出库",
}
#: 分片状态: 签一片、拆一片、供一片、批一片、建一片 (DIGEST §3)
PHASE_STATES: dict[str, str] = {
    "planned": "规划", "signing": "签约", "demolition": "拆除", "supply": "供地",
    "approval": "报批", "construction": "建设",
}
PHASE_ORDER: tuple[str, ...] = tuple(PHASE_STATES)
#: 被搬迁人类别: villagers (incl. those who became residents) and ancestral-house owners
PERSON_KINDS: dict[str, str] = {
    "villager": "村民", "resident": "村民转居民", "ancestral_owner": "祖屋业主",
}
