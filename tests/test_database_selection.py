"""scripts/test's PostgreSQL pass runs only the tests that use the database
(--database-tests-only, tests/conftest.uses_database): each way a test can reach the database
keeps it in that pass, and a test with none of them is left to the SQLite pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import DjangoDbBlocker

from tests.conftest import uses_database


@pytest.fixture
def _rows_made_for_it(transactional_db: None) -> None:
    """A fixture of the test's own that asks for the database, as migration tests do."""


@pytest.mark.django_db
def sample_marked() -> None: ...


@pytest.mark.django_db
class SampleMarkedClass:
    def sample_method(self) -> None: ...


def sample_db(db: None) -> None: ...


def sample_through_a_fixture(_rows_made_for_it: None) -> None: ...


def sample_unblocking(django_db_blocker: DjangoDbBlocker) -> None: ...


def sample_live_server(live_server: object) -> None: ...


def sample_pure() -> None: ...


def sample_pure_with_fixtures(tmp_path: Path, settings: object) -> None:
    """The settings fixture needs no database."""


def test_each_way_to_the_database_is_kept_and_only_those(request: pytest.FixtureRequest) -> None:
    # The samples are named so that pytest never collects them by itself, so they never run;
    # here they are collected once, and the patterns taken out again.
    functions, classes = (request.config.getini(n) for n in ("python_functions", "python_classes"))
    functions.append("sample_*")
    classes.append("Sample*")
    try:
        module = pytest.Module.from_parent(request.session, path=Path(__file__))
        items = {i.name: i for i in _items(module) if i.name.startswith("sample_")}
    finally:
        functions.remove("sample_*")
        classes.remove("Sample*")
    assert {name for name, item in items.items() if uses_database(item)} == {
        "sample_marked", "sample_method", "sample_db", "sample_through_a_fixture",
        "sample_unblocking", "sample_live_server",
    }  # fmt: skip
    assert {"sample_pure", "sample_pure_with_fixtures"} <= set(items)


def _items(node: pytest.Collector) -> list[pytest.Item]:
    found: list[pytest.Item] = []
    for child in node.collect():
        if isinstance(child, pytest.Item):
            found.append(child)
        elif isinstance(child, pytest.Collector):
            found += _items(child)
    return found
