"""No input the API's own OpenAPI document allows gives a server error (schemathesis).

Schemathesis generates requests for every operation of ``/api/openapi.json`` (the REST API, the
OGC API and the tiles) from the declared parameters and bodies — out-of-range numbers, long and
odd strings, nulls, missing fields — and sends them to the app, as the administrator and as an
anonymous user, on SQLite and PostGIS. Every answer must be below 500. The number of examples is
bounded so that a backend's run takes about a minute; logging out is left out (it would end the
session the administrator's requests use).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.conftest import World

LEFT_OUT = ("/api/auth/logout",)
BOUNDED = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def api_schema(city: World) -> Any:
    return schemathesis.openapi.from_asgi("/api/openapi.json", city.client.app)


@pytest.mark.parametrize("role", ["admin", "anonymous"])
def test_no_input_gives_a_server_error(api_schema: Any, city: World, role: str) -> None:
    """Each operation's generated cases, sent as ``role``: none answers 5xx."""
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.path in LEFT_OUT:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @BOUNDED
        def run(case: Any) -> None:
            response = case.call(headers=city.headers(role))
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query or ''} "
                                f"{case.body!r:.200} → {response.status_code}: "
                                f"{response.text[:300]}")

        run()
    assert operations > 50
    assert failures == [], "\n".join(failures[:20])
