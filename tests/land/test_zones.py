"""Zone layers: import by --kind or a kind column, replace vs append, history, export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from sqlalchemy import func, select, update

from landrenew.core.errors import InputError, ValidationFailed
from landrenew.core.store import Store
from landrenew.core.store.models import ZoneLayer, ZoneVersion
from landrenew.land.exporting import export_zones
from landrenew.land.zones import import_zones, read_zones

from .conftest import X0, Y0


def _zones_file(tmp_path: Path, codes: list[str], name: str = "zones.gpkg", *,
                kind: list[str] | None = None, size: float = 1000.0) -> Path:
    data: dict = {"zone_code": codes, "name": [f"区{c}" for c in codes], "批次": ["2023"] * len(codes)}
    if kind is not None:
        data["kind"] = kind
    geoms = [shapely.box(X0 + i * 2000, Y0, X0 + i * 2000 + size, Y0 + size) for i in range(len(codes))]
    path = tmp_path / name
    pyogrio.write_dataframe(gpd.GeoDataFrame(data, geometry=geoms, crs=4547), path)
    return path


def _versions(store: Store) -> int:
    with store.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(ZoneVersion)) or 0)


def test_import_by_kind(store: Store, tmp_path: Path) -> None:
    path = _zones_file(tmp_path, ["E1", "E2", "E3"])
    rep = import_zones(store, path, kind="ecological_redline", user="t", report=str(tmp_path / "r.csv"))
    assert (rep.rows_read, rep.inserted, rep.deleted, rep.kinds) == (3, 3, 0, ["ecological_redline"])
    zones = read_zones(store)
    assert zones["zone_code"].tolist() == ["E1", "E2", "E3"]
    assert zones["name"].tolist() == ["区E1", "区E2", "区E3"]
    assert zones["attributes"].tolist() == [{"批次": "2023"}] * 3
    assert zones["area_m2"].round(3).tolist() == [1_000_000.0] * 3
    with store.read_session() as s:
        layer = s.get(ZoneLayer, "ecological_redline")
        assert (layer.name, layer.feature_count) == ("生态保护红线", 3)


def test_import_by_kind_column_and_unknown_kind(store: Store, tmp_path: Path) -> None:
    path = _zones_file(tmp_path, ["A", "B", "C"], kind=["ecological_redline", "industrial_control_line",
                                                       "ecological_redline"])
    rep = import_zones(store, path, user="t")
    assert rep.kinds == ["ecological_redline", "industrial_control_line"]
    assert len(read_zones(store, kinds=["ecological_redline"])) == 2
    bad = _zones_file(tmp_path, ["X", "Y"], "bad.gpkg", kind=["ecological_redline", "火星"])
    with pytest.raises(ValidationFailed) as err:
        import_zones(store, bad, user="t", report=str(tmp_path / "r.csv"))
    assert [(p.row, p.field, p.code) for p in err.value.problems] == [(2, "kind", "unknown_zone_kind")]
    with pytest.raises(InputError, match="unknown zone kind 'moon'") as ierr:
        import_zones(store, path, kind="moon", user="t")
    assert ierr.value.field == "kind"
    nokind = _zones_file(tmp_path, ["Z"], "nokind.gpkg")
    with pytest.raises(InputError, match="--kind KIND or a 'kind' column"):
        import_zones(store, nokind, user="t")
    assert _versions(store) == 3


def test_duplicate_zone_codes_refused(store: Store, tmp_path: Path) -> None:
    path = _zones_file(tmp_path, ["A", "A"])
    with pytest.raises(ValidationFailed) as err:
        import_zones(store, path, kind="reserved_land", user="t", report=str(tmp_path / "r.csv"))
    assert [(p.row, p.code) for p in err.value.problems] == [(1, "duplicate_code"), (2, "duplicate_code")]


def test_replace_deletes_missing_as_versions(store: Store, tmp_path: Path) -> None:
    kind = "permanent_basic_farmland"
    import_zones(store, _zones_file(tmp_path, ["F1", "F2", "F3"]), kind=kind, user="t")
    with store.session() as s:
        s.execute(update(ZoneVersion).values(valid_from=dt.datetime(2024, 1, 1)))
    second = _zones_file(tmp_path, ["F1", "F2", "F4"], "second.gpkg")
    rep = import_zones(store, second, kind=kind, user="t")
    assert (rep.inserted, rep.updated, rep.unchanged, rep.deleted) == (1, 0, 2, 1)
    assert read_zones(store)["zone_code"].tolist() == ["F1", "F2", "F4"]
    assert read_zones(store, as_of=dt.date(2024, 6, 1))["zone_code"].tolist() == ["F1", "F2", "F3"]
    assert _versions(store) == 5  # 3 + F4 + the deletion of F3
    with store.read_session() as s:
        f3 = s.scalars(select(ZoneVersion).where(ZoneVersion.zone_code == "F3")
                       .order_by(ZoneVersion.version)).all()
        assert [(v.version, v.operation, v.is_deleted) for v in f3] == [(1, "insert", False),
                                                                         (2, "delete", True)]
        assert f3[1].reason == "not in second.gpkg"


def test_append_keeps_missing_and_changes_are_versions(store: Store, tmp_path: Path) -> None:
    kind = "industrial_control_line"
    import_zones(store, _zones_file(tmp_path, ["I1", "I2"]), kind=kind, user="t")
    rep = import_zones(store, _zones_file(tmp_path, ["I3"], "more.gpkg"), kind=kind, user="t",
                       append=True)
    assert (rep.inserted, rep.deleted) == (1, 0)
    assert read_zones(store)["zone_code"].tolist() == ["I1", "I2", "I3"]
    bigger = _zones_file(tmp_path, ["I1", "I2", "I3"], "bigger.gpkg", size=1500.0)
    rep = import_zones(store, bigger, kind=kind, user="t")
    assert (rep.updated, rep.unchanged) == (3, 0)
    assert read_zones(store)["area_m2"].round(2).tolist() == [2_250_000.0] * 3
    again = import_zones(store, bigger, kind=kind, user="t")
    assert (again.inserted, again.updated, again.unchanged, again.deleted) == (0, 0, 3, 0)
    assert _versions(store) == 6


def test_replace_leaves_other_kinds(store: Store, tmp_path: Path) -> None:
    import_zones(store, _zones_file(tmp_path, ["E1"]), kind="ecological_redline", user="t")
    import_zones(store, _zones_file(tmp_path, ["U1"], "u.gpkg"), kind="urban_development_boundary",
                 user="t")
    assert sorted(read_zones(store)["kind"]) == ["ecological_redline", "urban_development_boundary"]


def test_demo_zones_and_export(store: Store, demo_files: dict[str, Path], tmp_path: Path) -> None:
    rep = import_zones(store, demo_files["zones"], user="t")
    expected = len(pyogrio.read_dataframe(demo_files["zones"]))
    assert rep.inserted == expected and rep.deleted == 0
    out = tmp_path / "zones.gpkg"
    ex = export_zones(store, out, kinds=["ecological_redline"])
    back = pyogrio.read_dataframe(out)
    assert ex.count == len(back) == len(read_zones(store, kinds=["ecological_redline"]))
    assert set(back["kind"]) == {"ecological_redline"}
    assert ex.area_mu == pytest.approx(float(back["area_mu"].sum()))
    with pytest.raises(InputError, match="unknown zone kind 'x'"):
        export_zones(store, tmp_path / "z.gpkg", kinds=["x"])
