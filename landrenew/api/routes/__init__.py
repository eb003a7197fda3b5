"""One router per area; :data:`ROUTERS` is what ``create_app`` mounts."""

from landrenew.api.routes import (
    audit,
    auth,
    basemap,
    checks,
    consolidation,
    districts,
    evaluations,
    finance,
    health,
    imports,
    ogc,
    parcels,
    projects,
    quotas,
    reports,
    rules,
    supervision,
    tiles,
    users,
    zones,
)

ROUTERS = (health.router, auth.router, users.router, parcels.router,
           zones.router, districts.router, evaluations.router, imports.router, audit.router,
           ogc.router, tiles.router, projects.router, consolidation.router, finance.router,
           rules.router, checks.router, supervision.router, reports.router, quotas.router,
           basemap.router)

__all__ = ["ROUTERS"]
