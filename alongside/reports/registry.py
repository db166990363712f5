"""The reports there are, by name: each is a function from filters to tables, run through
suppression before anyone sees a figure."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from alongside.reports.filters import ReportFilters
from alongside.reports.result import Report, Table
from alongside.reports.suppression import suppress

# The modules of alongside/reports/definitions/, in the order the index lists them.
MODULES = (
    "volume",
    "funnel",
    "caseloads",
    "outcomes",
    "tiers",
    "endings",
    "concerns",
    "demographics",
)


@dataclass(frozen=True)
class Definition:
    name: str
    title: str
    description: str
    build: Callable[[ReportFilters], list[Table]]


_REPORTS: dict[str, Definition] = {}


def register(name: str, title: str, description: str) -> Callable:
    def decorator(build: Callable[[ReportFilters], list[Table]]):
        _REPORTS[name] = Definition(name, title, description, build)
        return build

    return decorator


def _load() -> dict[str, Definition]:
    for module in MODULES:
        try:
            importlib.import_module(f"alongside.reports.definitions.{module}")
        except ModuleNotFoundError as missing:
            if missing.name != f"alongside.reports.definitions.{module}":
                raise
    return _REPORTS


def definitions() -> list[Definition]:
    return list(_load().values())


def definition(name: str) -> Definition | None:
    return _load().get(name)


def run(definition: Definition, filters: ReportFilters) -> Report:
    """Build the report and suppress its small cells: no caller sees them unsuppressed."""
    tables = [suppress(table) for table in definition.build(filters)]
    return Report(
        name=definition.name,
        title=str(definition.title),
        start=filters.start,
        end=filters.end,
        tables=tables,
    )
