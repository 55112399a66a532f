"""WSGI entry point for gunicorn: ``gunicorn -c python:api.gunicorn_conf api.wsgi:app``.

Refuses to load (exit code 3, which stops gunicorn) while the database has pending migrations.
"""

import sys

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
    sys.stderr.write(f"insights: error: {error.message}\n")
    # 3 is gunicorn's "worker failed to boot": its master then stops, instead of starting
    # new workers that fail the same way twice a second for ever.
    raise SystemExit(3) from None
