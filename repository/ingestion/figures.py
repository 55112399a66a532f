"""Record a load's figures (migration 0017) so unfiltered reads never scan its rows."""

from sqlalchemy import Connection, text

from repository.ingestion import versions

_RECORD = text("SELECT insights.record_load_figures(:version)")


def record(connection: Connection) -> None:
    """Compute the figures of the version this load builds, inside its transaction.

    Row counts, the distinct customers reached and the first and last moments, and the
    customers per type: on 1M interactions one pass over the new partition, which the
    load has just written and so finds in memory.
    """
    connection.execute(_RECORD, {"version": versions.building(connection)})
