"""The charts and the district map of a programme report (图), drawn for print with matplotlib
from the report's inputs: tasks by status, low-efficiency land by district, and the districts
coloured by their government's overdue tasks."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from landrenew.supervision.content import mu

CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei",
             "Microsoft YaHei"]
STATUS_COLOURS = {"open": "#3b82f6", "done_on_time": "#16a34a", "done_late": "#f59e0b",
                  "overdue": "#dc2626"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = CJK_FONTS + list(plt.rcParams["font.sans-serif"])
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["svg.hashsalt"] = "landrenew"
    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def status_chart(inputs: Mapping[str, Any]) -> bytes:
    """Tasks by status (bars)."""
    plt = _pyplot()
    from landrenew.supervision.rules import STATUSES

    fig, ax = plt.subplots(figsize=(6, 2.6))
    counts = inputs["task_counts"]
    keys = list(STATUSES)
    bars = ax.bar([STATUSES[k] for k in keys], [counts.get(k, 0) for k in keys],
                  color=[STATUS_COLOURS[k] for k in keys])
    ax.bar_label(bars, fmt="%d项")
    ax.set_title("试点任务状态")
    ax.set_ylabel("任务数（项）")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def stock_chart(inputs: Mapping[str, Any]) -> bytes | None:
    """Low-efficiency land by district (亩)."""
    rows = [r for r in inputs["stock"] if r["district"] != "全市"]
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 2.8))
    bars = ax.bar([r["district"] for r in rows], [r["low_mu"] for r in rows], color="#b45309")
    ax.bar_label(bars, labels=[mu(r["low_mu"]) for r in rows], fontsize=7)
    ax.set_title("各县(市、区)低效用地面积")
    ax.set_ylabel("亩")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def district_map(inputs: Mapping[str, Any]) -> bytes | None:
    """The districts coloured by their government's overdue tasks on the day."""
    shapes = inputs.get("map") or []
    if not shapes:
        return None
    import shapely.geometry

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4.2))
    palette = ["#dcfce7", "#fef3c7", "#fdba74", "#f87171", "#b91c1c"]
    for s in shapes:
        geom = shapely.geometry.shape(s["geometry"])
        colour = palette[min(int(s["overdue"]), len(palette) - 1)]
        polys = getattr(geom, "geoms", [geom])
        for poly in polys:
            if hasattr(poly, "exterior"):
                x, y = poly.exterior.xy
                ax.fill(x, y, facecolor=colour, edgecolor="#374151", linewidth=0.6)
        c = geom.representative_point()
        ax.annotate(f"{s['name']}\n逾期{s['overdue']}项", (c.x, c.y), ha="center",
                    va="center", fontsize=7)
    ax.set_title("各县(市、区)政府逾期任务")
    ax.set_aspect("equal")
    ax.axis("off")
    return _png(fig)


def figures(inputs: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    out = [("图1 试点任务状态", status_chart(inputs))]
    for title, make in (("图2 各县(市、区)低效用地面积", stock_chart),
                        ("图3 各县(市、区)政府逾期任务分布", district_map)):
        png = make(inputs)
        if png is not None:
            out.append((title, png))
    return out
