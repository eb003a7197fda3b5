"""Front-end libraries served by the app itself (前端资源, no CDN).

The libraries come from the npm registry (``package.json`` / ``package-lock.json`` at the
repository root); ``make install`` runs ``npm ci`` and copies the files listed in :data:`VENDOR`
into ``landrenew/web/static/vendor``. Pages load them from ``/static/vendor/…`` so a bureau
intranet without internet gets every script, style and image from this server.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"

#: served name → file inside ``node_modules``
VENDOR: dict[str, str] = {
    "maplibre-gl.js": "maplibre-gl/dist/maplibre-gl.js",
    "maplibre-gl.css": "maplibre-gl/dist/maplibre-gl.css",
    "echarts.min.js": "echarts/dist/echarts.min.js",
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "maplibre-LICENSE.txt": "maplibre-gl/LICENSE.txt",
    "echarts-LICENSE": "echarts/LICENSE",
    "htmx-LICENSE": "htmx.org/LICENSE",
}


def missing() -> list[str]:
    """Vendor files not yet copied (run ``make install``)."""
    return [name for name in VENDOR if not (VENDOR_DIR / name).exists()]


def copy_from(node_modules: Path) -> list[Path]:
    """Copy the vendor files out of ``node_modules``; a missing one is an error naming it."""
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    out = []
    for name, rel in VENDOR.items():
        src = node_modules / rel
        if not src.exists():
            raise FileNotFoundError(f"{src} is missing: run `npm ci` in the repository root")
        dst = VENDOR_DIR / name
        shutil.copyfile(src, dst)
        out.append(dst)
    return out


def main() -> None:
    """``python -c 'from landrenew.web.assets import main; main()' [node_modules]``."""
    copied = copy_from(Path(sys.argv[1] if len(sys.argv) > 1 else "node_modules"))
    print(f"copied {len(copied)} front-end files into {VENDOR_DIR}")
