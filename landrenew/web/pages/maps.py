"""The map and the parcel card (地图、地块卡片): public to anonymous visitors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from landrenew.api.deps import PageUser, SettingsDep, StoreDep
from landrenew.core import places
from landrenew.core.access import PUBLIC
from landrenew.core.clock import city_time
from landrenew.core.errors import NotFound
from landrenew.evaluation.service import rule_messages
from landrenew.evaluation.wording import reason_lines
from landrenew.land import catalogue
from landrenew.land import service as land_service
from landrenew.land.landuse import land_use_table
from landrenew.serving import layers
from landrenew.web import legend
from landrenew.web.audit_labels import ACTIONS, label
from landrenew.web.pages.common import published_run
from landrenew.web.render import locale_of, render

router = APIRouter(include_in_schema=False, tags=["pages"])


@router.get("/")
def map_page(request: Request, store: StoreDep, settings: SettingsDep, user: PageUser
             ) -> Response:
    viewer = user or PUBLIC
    locale = locale_of(request)
    run = published_run(store, viewer)
    _, districts = catalogue.list_districts(store, viewer, limit=1000)
    boxes = [d["bbox"] for d in districts if d.get("bbox")]
    bounds = ([min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
               max(b[3] for b in boxes)] if boxes else [112.3, 21.4, 113.3, 22.9])
    config = legend.map_config(run, locale)
    # the public sees the public layers only (the setting the tiles and /ogc honour too)
    readable = layers.readable_layers(viewer, request.app.state.public_layers)
    config["zones"] = [z for z in config["zones"] if z["code"] in readable]
    base = request.app.state.basemap  # an intranet base map first, else 天地图 with a key
    config.update(bounds=bounds, evaluated=run is not None, layers=list(readable),
                  basemap=base.config() if base is not None else None,
                  tianditu=(settings.tianditu_token or None) if base is None else None,
                  card_url="/pages/parcels/{code}/card")
    return render(request, "map.html", {"config": config, "run": run, "districts": districts,
                                        "layers_hidden": len(readable) < len(layers.LAYERS)},
                  user=user)


@router.get("/pages/parcels/{code}/card")
def parcel_card(request: Request, code: str, store: StoreDep, user: PageUser) -> Response:
    """The parcel card (地块卡片): attributes as the role may see them, categories with their
    reasons and clauses, and (for logged-in users) the version history."""
    viewer = user or PUBLIC
    # the public reads a card only when the parcels are a public layer (as on /api and /ogc)
    layers.require_layer(viewer, "parcels", request.app.state.public_layers)
    locale = locale_of(request)
    try:
        detail = land_service.parcel_detail(store, viewer, code)
    except NotFound:
        return render(request, "partials/card_missing.html", {"code": code}, user=user,
                      status_code=404)
    if user is None:  # the public never sees internal account names
        detail.pop("changed_by", None)
    evaluation = detail.get("evaluation")
    names = legend.names(evaluation, locale)
    history: list[dict[str, Any]] = []
    history_total = 0
    if user is not None:
        history_total, history = land_service.history(store, user, code, limit=20)
    lines: list[dict[str, Any]] = []
    stale = False
    if evaluation is not None:
        lines = reason_lines(evaluation.get("reasons") or [],
                             rule_messages(evaluation["pack_id"], locale), locale)
        # the evaluation is older than the parcel's data when the parcel changed after the run
        made, changed = city_time(evaluation.get("made_at")), city_time(detail.get("valid_from"))
        stale = bool(made and changed and changed > made)
    district = detail.get("district_code")
    land_use = detail.get("land_use")
    return render(request, "partials/card.html", {
        "p": detail, "evaluation": evaluation, "names": names, "history": history,
        "history_total": history_total, "reason_lines": lines, "stale": stale,
        "district_name": places.place_name(district) if district else "",
        "operations": {op: label(ACTIONS, op, locale) for op in ("insert", "update", "delete")},
        "land_use_name": land_use_table().name(land_use),
        "colours": {e.code: e.colour for e in legend.categories(
            evaluation, locale)}}, user=user)


# ---------------------------------------------------------------- dashboard

