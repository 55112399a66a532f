"""The Flask application factory."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask, redirect, send_from_directory, url_for
from flask_smorest import Api

from api.extensions import EXTENSION_KEY
from api.schemas import ErrorSchema, LocalDateTime

if TYPE_CHECKING:
    from repository.factory import Repositories

DOCS_ASSETS_URL = "/docs/assets/"

API_DESCRIPTION = (
    "Statistics over a bank's customer sheet and interaction log, and texts (emails, call "
    "scripts, summaries) a language model writes from one customer's own interactions.\n\n"
    "Every endpoint under `/api/v1` needs an API key (`insights keys create`), sent as "
    "`X-API-Key: <key>` or `Authorization: Bearer <key>`; use **Authorize** above. Errors "
    "always come as JSON `{code, status, message, errors}`; each operation lists its own."
)

API_SETTINGS = {
    "API_TITLE": "Customer Insights",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # Served from the swagger-ui-bundle package: /docs works without internet access.
    "OPENAPI_SWAGGER_UI_URL": DOCS_ASSETS_URL,
    "API_SPEC_OPTIONS": {"info": {"description": API_DESCRIPTION}},
}


class InsightsApi(Api):
    """flask-smorest's Api documenting our error shape instead of its own."""

    ERROR_SCHEMA = ErrorSchema


def create_app(
    config: Mapping[str, Any] | None = None, repositories: "Repositories | None" = None
) -> Flask:
    """Create the app.

    ``config`` overrides what the environment says; ``repositories`` replaces the
    PostgreSQL ones (tests and demos pass fakes).
    """
    # Imported here: every `insights` command imports this package, and --help should
    # not pay for pandas, LangChain and SQLAlchemy.
    from api import auth, data_version, errors, request_log, security_headers, strict_query
    from api.config import load_config
    from api.log_config import configure_logging
    from pipelines.content.building import build_content_pipeline
    from pipelines.research.assistant import build_research_assistant
    from repository.factory import build_repositories
    from repository.migrations import migration_ids

    app = Flask(__name__)
    app.config.from_mapping(load_config())
    app.config.from_mapping(API_SETTINGS)
    if config:
        app.config.from_mapping(config)
    configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])

    repositories = repositories or build_repositories(app.config)
    app.extensions[EXTENSION_KEY] = {
        "repositories": repositories,
        "migrations": migration_ids(app.config["MIGRATIONS_DIR"]),
        "content": build_content_pipeline(
            # On the primary: a generation's audit row must match the data it was grounded on.
            app.config,
            repositories.on_primary().customer_history,
            repositories.generated_content,
        ),
        "research": build_research_assistant(app.config, repositories),  # issue 16
    }
    _register_api(app)
    request_log.init_app(app)
    _init_operations(app, repositories)
    auth.init_app(app)
    strict_query.init_app(app)  # after auth: a caller without a key learns nothing
    data_version.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)
    from api import response_cache

    response_cache.init_app(app)
    from api import console  # issue 20: the web console

    console.init_app(app)
    return app


def _init_operations(app: Flask, repositories: "Repositories") -> None:
    """Serve /metrics and, only when OTEL_EXPORTER_OTLP_ENDPOINT is set, trace (issue 18)."""
    from api import metrics, tracing

    metrics.init_app(app, repositories.engine)  # before auth: refused requests count too
    tracing.init_app(app, repositories.engine)


def _register_api(app: Flask) -> None:
    from api import (
        auth,
        campaigns,
        consent,
        contacts,
        content,
        customers,
        deliveries,
        feedback,
        health,
        legacy_stats,
        openapi_examples,
        query,
        research,
        statistics,
        unsubscribe,
        usage,
    )

    api = InsightsApi(app)
    api.register_field(LocalDateTime, "string", None)  # no offset: not RFC 3339 date-time
    blueprints = (health.blp, legacy_stats.blp, statistics.blp, customers.blp, content.blp)
    blueprints += (usage.blp,)
    blueprints += (consent.blp, contacts.blp)
    blueprints += (query.blp, research.blp)  # issue 16
    blueprints += (campaigns.blp,)
    blueprints += (deliveries.blp, unsubscribe.blp, feedback.blp)  # issue 15
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    _serve_docs_assets(app)
    auth.document_security(api, app)
    openapi_examples.document_error_examples(api.spec)


def _serve_docs_assets(app: Flask) -> None:
    from swagger_ui_bundle import swagger_ui_path

    @app.get(DOCS_ASSETS_URL + "<path:filename>")
    def docs_assets(filename: str):
        return send_from_directory(swagger_ui_path, filename)

    @app.get("/")
    def root_redirect():
        """Send a browser opening the bare address to Swagger UI."""
        return redirect(url_for("api-docs.openapi_swagger_ui"), code=302)
