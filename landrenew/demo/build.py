"""Building the demo database (示例库) through the same import path users take: Jiangmen's seven
districts, and 广州市白云区 and 中山市 beside them, each under its own city's rules."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.store import Store
from landrenew.core.store.migrate import upgrade
from landrenew.core.store.models import District, EvaluationRun, ParcelVersion, ZoneVersion
from landrenew.demo.accounts import create_demo_accounts
from landrenew.demo.compliance import build_demo_checks
from landrenew.demo.projects import build_demo_projects
from landrenew.demo.quotas import build_demo_quotas
from landrenew.demo.supervision import build_demo_programme
from landrenew.evaluation.publishing import publish_run
from landrenew.evaluation.stored import run_on_store
from landrenew.land.districts import import_districts
from landrenew.land.importing import ImportOptions, Progress, import_parcels, no_progress
from landrenew.land.zones import import_zones

DEMO_CRS = "EPSG:4547"  # CGCS2000 3-degree GK CM 114E: the zone of the demo's places


@dataclass
class DemoSummary:
    database: str
    files: dict[str, str]
    parcels: int
    zones: int
    districts: int
    built: bool
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    run_id: int | None = None
    low_efficiency: int = 0
    packs: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The URL the commands shown next must name (with its password, if any) and a parcel to try.
    command_url: str = ""
    sample_parcel: str | None = None

    def describe(self) -> str:
        state = "built" if self.built else "already present (use --force to rebuild)"
        lines = [f"示例库 demo database (江门市, 广州市白云区, 中山市) {state}: {self.database}",
                 f"  {self.districts} districts, {self.zones} zones, {self.parcels} parcels"]
        lines += [f"  {k}: {v}" for k, v in self.files.items()]
        if self.run_id is not None:
            used = {f"{p['pack']} {p['version']}" for p in self.packs.values()}
            lines.append(f"  evaluation run {self.run_id} (each district under its own city's "
                         f"standard: {', '.join(sorted(used))}): "
                         f"{self.low_efficiency} low-efficiency parcels")
        if self.accounts:
            lines.append("示例账户 demo accounts (name / role / password — demo only):")
            lines += [f"  {n:<10} {r:<15} {p}" for n, r, p in self.accounts]
        cli = f"{Path(sys.executable).parent / 'landrenew'} --db {self.command_url}"
        lines += ["next (试试):", f"  {cli} stats",
                  f"  {cli} export parcels parcels.gpkg   # open in QGIS"]
        if self.sample_parcel:
            lines.append(f"  {cli} parcels history {self.sample_parcel}")
        return "\n".join(lines)


def _summary(store: Store, files: dict[str, str], built: bool,
             accounts: list[tuple[str, str, str]]) -> DemoSummary:
    """What the database holds now (whether just built or already there)."""
    with store.read_session() as session:
        parcels = session.scalar(select(func.count()).select_from(ParcelVersion).where(
            ParcelVersion.valid_to.is_(None), ParcelVersion.operation != "delete")) or 0
        zones = session.scalar(select(func.count()).select_from(ZoneVersion).where(
            ZoneVersion.valid_to.is_(None), ZoneVersion.operation != "delete")) or 0
        districts = session.scalar(select(func.count()).select_from(District)) or 0
        sample = session.scalar(select(ParcelVersion.parcel_code).where(
            ParcelVersion.valid_to.is_(None)).order_by(ParcelVersion.parcel_code).limit(1))
        run = session.scalars(select(EvaluationRun).order_by(EvaluationRun.id.desc())
                              .limit(1)).first()
    url = store.engine.url.render_as_string(hide_password=False)
    return DemoSummary(store.display_url, files, int(parcels), int(zones), int(districts), built,
                       accounts, run.id if run else None,
                       (run.low_efficiency_count or 0) if run else 0,
                       (run.packs or {}) if run else {}, command_url=url, sample_parcel=sample)


def files_dir(store: Store) -> Path:
    url = make_url(store.engine.url)
    if url.get_backend_name() == "sqlite" and url.database:
        db = Path(url.database)
        return db.parent / f"{db.stem}-files"
    return Path("demo-files")


def build_demo(store: Store, *, n: int = 20000, seed: int = 42, user: str = "demo",
               force: bool = False, progress: Progress = no_progress) -> DemoSummary:
    from landrenew.demo.generator import write_demo_files

    upgrade(store.engine)
    with store.read_session() as session:
        existing = session.scalar(select(func.count()).select_from(ParcelVersion)) or 0
    folder = files_dir(store)
    if existing and not force:
        return _summary(store, {}, False, create_demo_accounts(store, actor=user))
    folder.mkdir(parents=True, exist_ok=True)
    progress("generate", 0, 1)
    files = write_demo_files(folder, n=n, seed=seed)
    progress("generate", 1, 1)
    reason = f"demo data, seed {seed}, built {city_today().isoformat()}"
    import_districts(store, files["districts"], user=user, reason=reason,
                                 projected_crs=DEMO_CRS)
    import_zones(store, files["zones"], user=user, reason=reason,
                         projected_crs=DEMO_CRS, progress=progress)
    import_parcels(store, files["parcels"],
                             ImportOptions(batch=f"demo-{seed}", reason=reason),
                             user=user, projected_crs=DEMO_CRS, progress=progress)
    progress("evaluate", 0, 1)
    run = run_on_store(store, as_of=city_today(), user=user, data_as_of=None,
                       note="demo evaluation, each district under its own city's standard")
    publish_run(store, Principal(user, "city_staff"), run.run.id,
                reason="the demo's evaluation, published for the map and the cards")
    progress("evaluate", 1, 1)
    accounts = create_demo_accounts(store, actor=user)
    progress("projects", 0, 1)
    build_demo_projects(store, user=user)
    progress("projects", 1, 1)
    checks = build_demo_checks(store, user=user)
    build_demo_quotas(store, user=user, legacy_checks=checks)
    build_demo_programme(store, user=user)
    return _summary(store, {k: str(v) for k, v in files.items()}, True, accounts)
