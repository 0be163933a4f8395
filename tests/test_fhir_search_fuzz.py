"""Search parameters nobody planned for: any name, modifier and value on every searched type
is answered 200 or 400, never a server error (each answer checked by tests/fhir_checks)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fhir_fixtures import treated_patient
from tests.fhir_rest_fixtures import NOW, bearer
from venowatch.fhir.capability import INTERACTIONS
from venowatch.fhir.query import PARAMETERS

pytestmark = pytest.mark.django_db
SEARCHED = sorted(k for k, acts in INTERACTIONS.items() if "search-type" in acts)
NAMES = sorted({p.name for ps in PARAMETERS.values() for p in ps} | {"_count", "_offset"})
name = st.one_of(
    st.sampled_from(NAMES),
    st.builds(lambda n, m: f"{n}:{m}", st.sampled_from(NAMES), st.text(max_size=8)),
    st.text(max_size=12),
)
value = st.one_of(
    st.text(max_size=40),
    st.from_regex(
        r"(eq|ge|gt|le|lt|sa|ne)?\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?"
        r"(Z|[+-]\d{2}:\d{2})?)?)?)?",
        fullmatch=True,
    ),
    st.builds(lambda a, b: f"{a}|{b}", st.text(max_size=20), st.text(max_size=10)),
    st.integers(-5, 10**20).map(str),
)


@pytest.fixture
def auth() -> dict[str, str]:
    _, advocate = treated_patient(NOW)
    return bearer(advocate)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kind=st.sampled_from(SEARCHED), params=st.lists(st.tuples(name, value), max_size=4),
       strict=st.booleans())  # fmt: skip
def test_no_search_is_a_server_error(
    fhir_client: Any, auth: dict[str, str], kind: str, params: list[tuple[str, str]], strict: bool
) -> None:
    headers = {**auth, "Prefer": "handling=strict"} if strict else auth
    answer = fhir_client.get(f"/fhir/r4/{kind}?{urlencode(params)}", headers=headers)
    assert answer.status_code in (200, 400, 406), answer.content[:300]
