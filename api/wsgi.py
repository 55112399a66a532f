"""WSGI entry point for gunicorn: ``gunicorn -c python:api.gunicorn_conf api.wsgi:app``.

Refuses to load (non-zero exit) while the database has pending migrations.
"""

from api import create_app
from api.extensions import known_migrations, repositories
from api.startup import prepare_to_serve
from repository.errors import InsightsError

try:
    # A broken prompt or policy file stops the workers with one line, not a traceback.
    app = create_app()
    with app.app_context():
        prepare_to_serve(repositories(), known_migrations())
except InsightsError as error:
    raise SystemExit(f"insights: error: {error.message}") from None
