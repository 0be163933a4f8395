"""A time zone reads as its place on every page: patients are not shown the zone database's
keys ("America/New_York")."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from venowatch.web.templatetags.zones import zone_place


@pytest.mark.parametrize(
    ("zone", "place"),
    [
        (ZoneInfo("America/New_York"), "New York"),
        ("Europe/Paris", "Paris"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
        (ZoneInfo("UTC"), "UTC"),
    ],
)
def test_a_zone_reads_as_its_place(zone: ZoneInfo | str, place: str) -> None:
    assert zone_place(zone) == place
