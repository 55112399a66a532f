"""The ingestion page: recent runs and the rows the latest load quarantined, and why."""

from flask import render_template

from api.console import blp
from api.console.session import need
from api.extensions import repositories

# Quarantined rows hold source cells as they came (personal data included): admin only,
# like `insights quarantine list`, which needs database access.
INGESTION_SCOPE = "admin"
QUARANTINE_ROWS = 100


@blp.get("/ingestion")
def ingestion():
    """Show the latest runs with their counts and the latest run's quarantined rows."""
    need(INGESTION_SCOPE)
    store = repositories().ingestion
    runs = store.list_runs(20) if store is not None else []
    quarantined = store.list_quarantine(None, QUARANTINE_ROWS) if store is not None else []
    return render_template(
        "console/ingestion.html", runs=runs, quarantined=quarantined, limit=QUARANTINE_ROWS
    )
