"""The shrink guard: a bad export must never silently replace good data with little or none."""

from collections.abc import Mapping
from dataclasses import dataclass

from repository.errors import InvalidInput

# The clean tables a load replaces, as the report and the message name them.
GUARDED_TABLES = ("customers", "interactions", "product_months")


@dataclass(frozen=True)
class Shrink:
    """How one clean table would change if the load went ahead."""

    table: str
    current: int
    incoming: int

    def describe(self) -> str:
        """Return e.g. "interactions 388 -> 0 (-100%)"."""
        share = (self.current - self.incoming) / self.current
        return f"{self.table} {self.current} -> {self.incoming} (-{share:.0%})"


class ShrinkRefused(InvalidInput):
    """The load would remove too much of the current data; nothing was changed."""


def excessive_shrinks(
    current: Mapping[str, int], incoming: Mapping[str, int], max_share: float
) -> list[Shrink]:
    """Return the tables the load would empty, or shrink by more than ``max_share`` (0-1).

    A table that is empty now can only grow, so a first load is never refused.
    """
    shrinks = []
    for table in GUARDED_TABLES:
        now, new = current.get(table, 0), incoming.get(table, 0)
        if now and (new == 0 or (now - new) / now > max_share):
            shrinks.append(Shrink(table, now, new))
    return shrinks


def check_shrink(current: Mapping[str, int], incoming: Mapping[str, int], max_share: float) -> None:
    """Raise ShrinkRefused naming every table the load would shrink too far.

    Raises:
        ShrinkRefused: one table or more would lose more than ``max_share`` of its rows.
    """
    shrinks = excessive_shrinks(current, incoming, max_share)
    if shrinks:
        raise ShrinkRefused(
            "refusing to load: it would shrink "
            + ", ".join(shrink.describe() for shrink in shrinks)
            + f", more than the {max_share:.0%} allowed; check the export's quarantine"
            " (insights quarantine list) or pass --allow-shrink"
        )
