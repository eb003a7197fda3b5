"""Uploads waiting for confirmation (待确认的上传): the page's two-step import.

Step one validates an upload as a dry run and keeps the file here under a random token; step two
(``confirm``) imports that same file — the user never uploads twice, and cannot confirm a file
someone else staged. Staged files live in a private temporary folder and expire after
:data:`TTL_SECONDS`.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from landrenew.core.errors import NotFound, PermissionDenied

TTL_SECONDS = 3600


@dataclass(frozen=True)
class Staged:
    token: str
    owner: str
    filename: str
    path: Path
    options: dict[str, str | None]


class Staging:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="landrenew-staging-"))
        self._lock = threading.Lock()

    def put(self, owner: str, filename: str, content: bytes,
            options: dict[str, str | None]) -> Staged:
        self.expire()
        token = secrets.token_urlsafe(24)
        folder = self.root / token
        folder.mkdir(parents=True)
        name = Path(filename).name or "upload"
        (folder / name).write_bytes(content)
        (folder / "meta.json").write_text(json.dumps(
            {"owner": owner, "filename": name, "options": options, "at": time.time()}),
            encoding="utf-8")
        return Staged(token, owner, name, folder / name, options)

    def get(self, token: str, owner: str) -> Staged:
        if not token or not token.replace("-", "").replace("_", "").isalnum():
            raise NotFound("no staged upload with that token", field="token")
        meta_path = self.root / token / "meta.json"
        if not meta_path.exists():
            raise NotFound("the staged upload has expired or was already imported; upload the "
                           "file again", field="token")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["owner"] != owner:
            raise PermissionDenied("this upload was staged by another user", field="token")
        return Staged(token, meta["owner"], meta["filename"],
                      self.root / token / meta["filename"], meta["options"])

    def drop(self, token: str) -> None:
        shutil.rmtree(self.root / token, ignore_errors=True)

    def expire(self) -> None:
        now = time.time()
        with self._lock:
            for meta_path in self.root.glob("*/meta.json"):
                try:
                    at = json.loads(meta_path.read_text(encoding="utf-8"))["at"]
                except (OSError, ValueError, KeyError):
                    continue
                if now - at > TTL_SECONDS:
                    shutil.rmtree(meta_path.parent, ignore_errors=True)
