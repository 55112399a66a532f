"""WSGI entry point for gunicorn: ``gunicorn api.wsgi:app``.

Refuses to load (non-zero exit) while the database has pending migrations.
"""

from api import create_app
from api.extensions import known_migrations, repositories
from api.readiness import require_current_schema
from repository.errors import InsightsError

app = create_app()

with app.app_context():
    try:
        require_current_schema(repositories(), known_migrations())
    except InsightsError as error:
        raise SystemExit(f"insights: error: {error.message}") from None
