"""Kept answers before the framework (已存应答): tiles and pages this process already holds.

FastAPI's routing and dependency solving cost more than a kept answer itself (``docs/serving.md``).
:class:`KeptAnswers` answers a request itself when, and only when, the answer is already kept for
exactly the key the route would build: the same user (the same token and session checks,
:func:`principal`), the same parameters parsed by the same functions, the same data stamp. Anything
else falls through to the route unchanged: a page not kept yet, a refused or expired token, a
parameter the fast parse does not take (a repeated name, a number written other than in plain
digits, a bad box), a HEAD request. The routes stay the one place that checks, makes and refuses;
each route module gives the lookup for its kept answers next to the route (``kept_*``), sharing
the key and the response with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from landrenew.core.access import Principal
from landrenew.core.errors import LandrenewError

#: A lookup: the kept answer to this request (path parameters as matched), or None.
Lookup = Callable[[Request, dict[str, str]], Response | None]

_WHOLE = re.compile(r"0|[1-9][0-9]{0,8}")


@dataclass(frozen=True)
class KeptRoute:
    """A path pattern (named groups are the path parameters) and its lookup."""

    pattern: re.Pattern[str]
    lookup: Lookup


def single_params(request: Request) -> dict[str, str] | None:
    """The query parameters by name, or None when a name is given more than once (the route
    decides what that means)."""
    items = request.query_params.multi_items()
    params = dict(items)
    return params if len(params) == len(items) else None


def whole(value: str | None, default: int) -> int | None:
    """A non-negative whole number written in plain digits (no sign, space or leading zero),
    ``default`` when absent, else None: the route's own validation decides the rest."""
    if value is None:
        return default
    return int(value) if _WHOLE.fullmatch(value) else None


def principal(resolve: Callable[[], Principal]) -> Principal | None:
    """``resolve()`` (the route's own user check), or None if it refuses: the route then
    answers the request, with its 401 or 403."""
    try:
        return resolve()
    except LandrenewError:
        return None


class KeptAnswers:
    """ASGI middleware: answer GET requests for kept tiles and pages before routing."""

    def __init__(self, app: ASGIApp, routes: tuple[KeptRoute, ...]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path = scope["path"]
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root):]
            for route in self.routes:
                match = route.pattern.fullmatch(path)
                if match is None:
                    continue
                response = route.lookup(Request(scope, receive), match.groupdict())
                if response is not None:
                    await response(scope, receive, send)
                    return
                break
        await self.app(scope, receive, send)
