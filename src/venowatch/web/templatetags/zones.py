"""A time zone as people name it: the place, not the database's key ("America/New_York" is a
code; "New York" is what a patient reads in "Times on this page are New York time")."""

from __future__ import annotations

from datetime import tzinfo

from django import template

register = template.Library()


@register.filter
def zone_place(zone: tzinfo | str) -> str:
    """The zone's place: the last part of its key with spaces ("Europe/Paris": "Paris",
    "America/Argentina/Buenos_Aires": "Buenos Aires"); a key with no place ("UTC") as it is."""
    key = getattr(zone, "key", None) or str(zone)
    return key.rsplit("/", 1)[-1].replace("_", " ")
