"""Whole responses kept gzip-compressed per data stamp (响应缓存).

GIS clients ask for the same large pages again as users pan (``docs/serving.md``). Pages are kept
compressed under a key that holds the data stamp, so a write makes every kept page stale at once.
A client that accepts gzip (QGIS, GDAL, browsers) gets the kept bytes as they are; any other gets
them decompressed.
"""

from __future__ import annotations

from collections.abc import Hashable

from fastapi import Request
from fastapi.responses import Response
from isal import igzip

from landrenew.serving.pagestore import digest

#: ISA-L level 1 (python-isal's ``igzip``, standard gzip output): about three times as fast as
#: zlib's fastest level and smaller too (a 0.9 MB page: 1 ms instead of 4–5 ms).
LEVEL = 1


def compress(data: bytes) -> bytes:
    return igzip.compress(data, compresslevel=LEVEL, mtime=0)


def etag_for(stamp: str, key: Hashable) -> str:
    return f'W/"{stamp}-{digest(key)[:16]}"'


def accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def answer(request: Request, compressed: bytes, media_type: str, etag: str,
           headers: dict[str, str]) -> Response:
    """The kept body as a response: ``304`` for a matching ``If-None-Match``, the gzip bytes for
    a client that accepts them, the plain body for any other."""
    headers = {**headers, "ETag": etag,
               "Vary": ", ".join(filter(None, (headers.get("Vary"), "Accept-Encoding")))}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if accepts_gzip(request):
        return Response(compressed, media_type=media_type,
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(igzip.decompress(compressed), media_type=media_type, headers=headers)
