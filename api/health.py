"""Liveness and readiness probes for orchestrators and load balancers."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.data_version import current_data_version
from api.extensions import known_migrations, repositories
from api.readiness import readiness_checks
from api.schemas import LivenessSchema, ReadinessSchema

blp = Blueprint("health", __name__, url_prefix="/health", description="Service health probes.")


@blp.route("/live")
class Liveness(MethodView):
    @blp.response(200, LivenessSchema)
    def get(self):
        """Report that the process is up."""
        return {"status": "ok"}


@blp.route("/ready")
class Readiness(MethodView):
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, schema=ReadinessSchema, description="A dependency is not ready.")
    def get(self):
        """Report whether the database is reachable and its schema current."""
        checks = readiness_checks(repositories(), known_migrations())
        ready = all(verdict == "ok" for verdict in checks.values())
        status = "ok" if ready else "unavailable"
        body = {"status": status, "checks": checks, "data_version": current_data_version()}
        return body, 200 if ready else 503
