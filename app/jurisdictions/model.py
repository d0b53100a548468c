"""The Jurisdiction value type shared by the gazetteer, the store, suggestions and the UI."""

from __future__ import annotations

from dataclasses import dataclass

#: Levels from the top down; custom entries (a school district, a police department) may name their own.
LEVELS = ("federal", "state", "county", "city")


@dataclass(frozen=True)
class Jurisdiction:
    """A government identified by an Open Civic Data division id (or a custom id under one)."""

    id: str  # e.g. ocd-division/country:us/state:ne/place:omaha
    name: str  # e.g. Omaha
    level: str  # federal, state, county, city, or a custom level
    parent: str | None = None  # id of the enclosing jurisdiction
    state: str | None = None  # postal code of the state it is in (NE), None for federal
    population: int | None = None
    aliases: tuple[str, ...] = ()
    lat: float | None = None  # degrees north: a place's position, a state's centre (population-weighted)
    lon: float | None = None  # degrees east (negative in the Americas); counties and custom entries have none

    @property
    def display(self) -> str:
        """Human name: "Omaha, NE", "El Paso County, TX", "Nebraska", "United States (federal)"."""
        if self.level == "federal":
            return f"{self.name} (federal)"
        if self.level == "state" or not self.state:
            return self.name
        return f"{self.name}, {self.state}"
