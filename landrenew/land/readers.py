"""Reading the files bureaus really have (数据读取): GeoPackage, Shapefile (folder or .zip, GBK or
UTF-8), GeoJSON, GeoParquet, CSV with WKT or lon/lat, Excel attribute sheets.

Every reader returns a frame whose index is the row label used in error messages: the GDAL
feature id for vector files, the line number for CSV, the sheet row number for Excel.
Readers are registered by name (:data:`READERS`) so that a deployment can add its own.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from pyproj import CRS

from landrenew.core.errors import InputError, Problem
from landrenew.core.spatial import parse_crs

WKT_COLUMNS = ("wkt", "WKT", "geometry", "geom", "the_geom")
LON_COLUMNS = ("lon", "lng", "longitude", "经度", "x", "X")
LAT_COLUMNS = ("lat", "latitude", "纬度", "y", "Y")


@dataclass
class ReadResult:
    """What a reader produced. ``gdf`` is a GeoDataFrame (or a DataFrame for attribute sheets)."""

    path: Path
    frame: pd.DataFrame
    has_geometry: bool
    row_label: str  # how rows are named in messages: "feature", "line", "row"
    #: What reading found (e.g. Excel formula cells): warnings, or errors refusing their row.
    problems: list[Problem] = field(default_factory=list)

    @property
    def gdf(self) -> gpd.GeoDataFrame:
        if not self.has_geometry:
            raise InputError("this file has attributes only, no geometry", file=str(self.path))
        return self.frame


Reader = Callable[..., ReadResult]


def _with_crs(gdf: gpd.GeoDataFrame, path: Path, crs: str | CRS | None) -> gpd.GeoDataFrame:
    """Apply ``--crs`` when the file has none; refuse a file with no CRS at all."""
    given = parse_crs(crs)
    if gdf.crs is None:
        if given is None:
            raise InputError(
                "the file has no coordinate reference system; give one with --crs EPSG:N "
                "(e.g. EPSG:4490 for CGCS2000 lon/lat, EPSG:4547 for CGCS2000 GK CM 114E)",
                file=str(path),
                field="crs",
            )
        return gdf.set_crs(given)
    return gdf


def _shapefile_in(path: Path) -> str:
    """Resolve a folder or a .zip holding exactly one shapefile to a path GDAL can open."""
    if path.is_dir():
        shps = sorted(path.glob("*.shp"))
        if len(shps) != 1:
            raise InputError(f"expected one .shp in the folder, found {len(shps)}", file=str(path))
        return str(shps[0])
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.lower().endswith(".shp")]
    if len(names) != 1:
        raise InputError(f"expected one .shp in the zip file, found {len(names)}", file=str(path))
    return f"/vsizip/{path}/{names[0]}"


def read_ogr(
    path: Path, *, crs: str | CRS | None = None, encoding: str | None = None,
    layer: str | None = None,
) -> ReadResult:
    """Any vector format GDAL reads (GeoPackage, Shapefile, GeoJSON …), through pyogrio."""
    source = str(path)
    if path.is_dir() or path.suffix.lower() == ".zip":
        source = _shapefile_in(path)
    kwargs: dict[str, object] = {"fid_as_index": True, "use_arrow": encoding is None}
    if encoding:
        kwargs["encoding"] = encoding
    if layer:
        kwargs["layer"] = layer
    if path.suffix.lower() in (".geojson", ".json"):
        # GDAL otherwise guesses DATE fields and silently rolls an impossible date such as
        # 2021-02-30 into 2021-03-02 (or fails on the whole file without Arrow): read the text
        # and let validation name the row and field.
        kwargs["DATE_AS_STRING"] = "YES"
    try:
        gdf = pyogrio.read_dataframe(source, **kwargs)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError …
        if "not encoded in UTF-8" in str(exc):
            raise InputError("the file's text is not UTF-8 and no .cpg says which encoding it "
                             "uses; give --encoding (e.g. GBK)", file=str(path),
                             field="encoding") from exc
        raise InputError(f"cannot read the file: {exc}", file=str(path)) from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        return ReadResult(path, gdf, False, "feature")
    gdf.index.name = "row"
    return ReadResult(path, _with_crs(gdf, path, crs), True, "feature")


def read_parquet(path: Path, *, crs: str | CRS | None = None, **_: object) -> ReadResult:
    try:
        gdf = gpd.read_parquet(path)
    except Exception as exc:
        raise InputError(f"cannot read the GeoParquet file: {exc}", file=str(path)) from exc
    gdf.index = pd.RangeIndex(len(gdf), name="row")
    return ReadResult(path, _with_crs(gdf, path, crs), True, "row")


def _read_csv_text(path: Path, encoding: str | None) -> pd.DataFrame:
    for enc in [encoding] if encoding else ["utf-8-sig", "gb18030"]:
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc)
        except UnicodeDecodeError:
            continue
        except Exception as exc:
            raise InputError(f"cannot read the CSV file: {exc}", file=str(path)) from exc
    raise InputError("the CSV file is neither UTF-8 nor GB18030; give --encoding", file=str(path))


def read_csv(
    path: Path, *, crs: str | CRS | None = None, encoding: str | None = None, **_: object
) -> ReadResult:
    """CSV with a WKT column, or lon/lat columns (points). A ``.prj`` beside it gives the CRS."""
    df = _read_csv_text(path, encoding)
    df.index = pd.RangeIndex(2, len(df) + 2, name="line")  # line 1 is the header
    df = df.replace({"": None})
    prj = path.with_suffix(".prj")
    if crs is None and prj.exists():
        crs = prj.read_text(encoding="utf-8", errors="replace")
    wkt_col = next((c for c in WKT_COLUMNS if c in df.columns), None)
    if wkt_col:
        geoms = shapely.from_wkt(df[wkt_col].to_numpy(), on_invalid="ignore")
        bad = df[wkt_col].notna().to_numpy() & shapely.is_missing(geoms)
        if bad.any():
            line = df.index[bad.argmax()]
            raise InputError("the WKT cannot be read", file=str(path), row=line, field=wkt_col)
        gdf = gpd.GeoDataFrame(df.drop(columns=[wkt_col]), geometry=geoms)
    else:
        lon = next((c for c in LON_COLUMNS if c in df.columns), None)
        lat = next((c for c in LAT_COLUMNS if c in df.columns), None)
        if not (lon and lat):
            return ReadResult(path, df, False, "line")
        x = pd.to_numeric(df[lon], errors="coerce")
        y = pd.to_numeric(df[lat], errors="coerce")
        geoms = shapely.points(x.to_numpy(), y.to_numpy())
        gdf = gpd.GeoDataFrame(df.drop(columns=[lon, lat]), geometry=geoms)
    return ReadResult(path, _with_crs(gdf, path, crs), True, "line")


def read_excel(path: Path, *, layer: str | None = None, **_: object) -> ReadResult:
    """An Excel attribute sheet (first sheet, or the one named by ``layer``); header in row 1.

    A second header row of field codes under the Chinese one (the platform's own parcel list
    download) is skipped. A formula cell gives the value Excel last calculated, with a warning
    naming the cell; a formula with no such value (never calculated, or an Excel error such as
    ``#DIV/0!``) refuses its row, naming the cell (:func:`formula_problems`)."""
    try:
        df = pd.read_excel(path, sheet_name=layer or 0, dtype=object, engine="openpyxl")
    except Exception as exc:
        raise InputError(f"cannot read the Excel file: {exc}", file=str(path)) from exc
    df.columns = [str(c).strip() for c in df.columns]
    df.index = pd.RangeIndex(2, len(df) + 2, name="row")
    df = df.astype(object).where(df.notna(), None)
    problems = formula_problems(path, layer, df) if _has_formulas(path) else []
    if len(df) and _is_code_row(df.iloc[0]):
        df = df.iloc[1:]
    return ReadResult(path, df, False, "row", problems)


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
#: The values Excel shows for a formula it could not calculate.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})


def _has_formulas(path: Path) -> bool:
    """Whether any sheet of the workbook holds a formula (a quick look at its XML)."""
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with zf.open(name) as fh:
                        tail = b""
                        while chunk := fh.read(2**20):
                            if _FORMULA.search(tail + chunk):
                                return True
                            tail = chunk[-16:]
    except zipfile.BadZipFile:
        return False
    return False


def formula_problems(path: Path, layer: str | None, frame: pd.DataFrame) -> list[Problem]:
    """A problem for each formula cell of the sheet read into ``frame``: a warning when Excel's
    last calculated value was read (it is what the file shows, but the formula is not kept), an
    error refusing the row when there is none."""
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[layer] if layer else wb.worksheets[0]
        sheet = quote_sheetname(ws.title)
        problems: list[Problem] = []
        for row in ws.iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) != "f":
                    continue
                problems.append(_formula_problem(str(path), sheet, cell.row, cell.column,
                                                 str(cell.value), frame))
        return problems
    finally:
        wb.close()


def _formula_problem(file: str, sheet: str, row: int, column: int, formula: str,
                     frame: pd.DataFrame) -> Problem:
    where = f"{sheet}!{get_column_letter(column)}{row}"
    name = str(frame.columns[column - 1]) if column <= len(frame.columns) else None
    if row == 1:
        return Problem(file, None, name, "formula_cell",
                       f"the header {where} is a formula ({formula}); its value was read",
                       "warning", formula)
    value: Any = frame.at[row, name] if name is not None and row in frame.index else None
    if value is None or (isinstance(value, str) and value.strip() in EXCEL_ERRORS):
        return Problem(file, row, name, "formula_without_value",
                       f"{where} is a formula ({formula}) without a calculated value; enter the "
                       "value, or open and save the file in Excel", "error", formula)
    return Problem(file, row, name, "formula_cell",
                   f"{where} is a formula ({formula}); the value Excel last calculated ({value})"
                   " was imported", "warning", formula)


def _is_code_row(row: pd.Series) -> bool:
    """A row of field codes under a Chinese header (``parcel_code``, ``district_code`` …)."""
    values = [v for v in row.tolist() if v is not None]
    return "parcel_code" in values and all(
        isinstance(v, str) and re.fullmatch(r"[a-z][a-z0-9_]*", v) for v in values)


READERS: dict[str, Reader] = {
    ".gpkg": read_ogr,
    ".shp": read_ogr,
    ".zip": read_ogr,
    ".geojson": read_ogr,
    ".json": read_ogr,
    ".fgb": read_ogr,
    ".parquet": read_parquet,
    ".geoparquet": read_parquet,
    ".csv": read_csv,
    ".xlsx": read_excel,
}


def read_any(
    path: str | Path, *, crs: str | CRS | None = None, encoding: str | None = None,
    layer: str | None = None,
) -> ReadResult:
    """Read a file by its extension (a folder is read as a Shapefile folder)."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", file=str(p))
    reader = read_ogr if p.is_dir() else READERS.get(p.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise InputError(f"unknown file type {p.suffix!r} (known: {known})", file=str(p))
    return reader(p, crs=crs, encoding=encoding, layer=layer)


def read_vector(
    path: str | Path, *, crs: str | CRS | None = None, encoding: str | None = None,
    layer: str | None = None,
) -> ReadResult:
    """Read a file that must carry geometry."""
    result = read_any(path, crs=crs, encoding=encoding, layer=layer)
    if not result.has_geometry:
        raise InputError("the file has no geometry", file=str(result.path))
    return result
