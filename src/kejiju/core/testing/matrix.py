"""The four-actor permission matrix, generated for any list/detail/API endpoint (design §2).

For each endpoint a module declares how to make a record in a region, how to spot it on a
list, the URL, and the permission it needs. The matrix then checks:

* anonymous → the login page (pages) or 401/403 (API);
* own region *without* the permission → 403;
* other region *with* the permission → 404 on a detail URL, and the record absent from a list;
* own region *with* the permission → 200 (and the record present on a list).

Usage in a module's tests::

    ENDPOINTS = [Endpoint("region detail", perm="core.view_region", kind="page", detail=True,
                          make=..., url=lambda obj: reverse(...), marker=lambda obj: obj.name)]

    @pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
    def test_permission_matrix(case, client, db):
        run_matrix_case(case, client)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from kejiju.core.models import User
from kejiju.core.testing.factories import UserFactory, grant_perms, region

OWN_REGION = "341181"
OTHER_REGION = "341182"
ACTORS = ("anonymous", "own_without_perm", "other_with_perm", "own_with_perm")


@dataclass(frozen=True)
class Endpoint:
    """One URL under the matrix.

    ``make(region_code)`` creates a record in that region and returns it; ``url(obj)`` gives the
    URL (for a list, ``obj`` is ignored or used for a query); ``marker(obj)`` is a text that
    appears in the response when the record is shown (lists only)."""

    name: str
    perm: str | tuple[str, ...]
    make: Callable[[str], Any]
    url: Callable[[Any], str]
    kind: str = "page"  # "page" or "api"
    detail: bool = True
    marker: Callable[[Any], str] | None = None
    method: str = "get"

    @property
    def perms(self) -> tuple[str, ...]:
        return (self.perm,) if isinstance(self.perm, str) else self.perm


@dataclass(frozen=True)
class MatrixCase:
    endpoint: Endpoint
    actor: str

    def __str__(self) -> str:
        return f"{self.endpoint.name}-{self.actor}"


def matrix_cases(endpoints: list[Endpoint]) -> list[MatrixCase]:
    return [MatrixCase(e, a) for e, a in itertools.product(endpoints, ACTORS)]


def _actor(name: str, endpoint: Endpoint) -> Any:
    if name == "anonymous":
        return None
    code = OWN_REGION if name.startswith("own") else OTHER_REGION
    user = cast(User, UserFactory(region=region(code), username=f"matrix-{name}"))
    if name.endswith("with_perm"):
        grant_perms(user, *endpoint.perms)
    return user


def run_matrix_case(case: MatrixCase, client: Any) -> None:
    """Create the record in the own region, log in as the case's actor, request the URL and
    assert the expected answer."""
    endpoint = case.endpoint
    region(OWN_REGION)
    region(OTHER_REGION)
    obj = endpoint.make(OWN_REGION)
    url = endpoint.url(obj)
    user = _actor(case.actor, endpoint)
    if user is not None:
        client.force_login(user)
    response = getattr(client, endpoint.method)(
        url, HTTP_ACCEPT="application/json" if endpoint.kind == "api" else "text/html"
    )
    status = response.status_code
    if case.actor == "anonymous":
        if endpoint.kind == "api":
            assert status in (401, 403), f"{url}: anonymous got {status}"
        else:
            assert status == 302 and "/login/" in response["Location"], f"{url}: anonymous got {status}"
    elif case.actor == "own_without_perm":
        assert status == 403, f"{url}: own region without permission got {status}"
    elif case.actor == "other_with_perm":
        if endpoint.detail:
            assert status == 404, f"{url}: other region with permission got {status}"
        else:
            assert status == 200, f"{url}: other region list got {status}"
            if endpoint.marker is not None:
                assert endpoint.marker(obj) not in response.content.decode(), f"{url}: other region sees the record"
    else:
        assert status == 200, f"{url}: own region with permission got {status}"
        if endpoint.marker is not None:
            assert endpoint.marker(obj) in response.content.decode(), f"{url}: own record missing"
