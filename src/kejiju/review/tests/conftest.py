from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def source() -> Any:
    from kejiju.review import sources
    from kejiju.review.tests.factories import install_source

    fake = install_source()
    yield fake
    sources._sources.pop(fake.key, None)


@pytest.fixture
def staff(regions: Any, make_user: Any) -> Any:
    return make_user("bureau_staff", "341181", username="review-staff")
