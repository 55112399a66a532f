"""The ``insights`` command line: Flask's commands plus the project's own.

Errors print one line on stderr and exit with status 2.
"""

import sys
from typing import Any

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, routes_command, run_command, shell_command

from api.commands.campaigns import campaigns_group
from api.commands.content import content_commands
from api.commands.data import data_commands
from api.commands.deliveries import campaign_metrics_command, deliveries_group
from api.commands.errors import USAGE_ERROR, CommandError, one_line_errors
from api.commands.keys import keys_group
from api.commands.outreach import outreach_commands
from api.commands.research import research_commands
from api.commands.serving import check_port_free, stop_embedded_command, stop_embedded_on_exit
from api.commands.worker import worker_command
from repository.errors import InsightsError

# The app (and with it pandas, SQLAlchemy and the database) is built only when a command
# needs it: `insights --help` and `--version` stay fast and start no database.


def _load_app():
    from api import create_app

    try:
        return create_app()
    except InsightsError as error:
        CommandError(error.message).show()
        sys.exit(USAGE_ERROR)


class InsightsGroup(FlaskGroup):
    """Flask's command group without its app lookups for listing and finding commands.

    Flask builds the app to list commands the app itself registers; ours registers none,
    so building it (and starting the embedded database) for --help would be wasted.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return click.Group.list_commands(self, ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return click.Group.get_command(self, ctx, cmd_name)


@click.group(
    cls=InsightsGroup, create_app=_load_app, add_default_commands=False, add_version_option=False
)
@click.version_option(package_name="customer-insights", message="%(prog)s %(version)s")
def cli() -> None:
    """Customer Insights: clean the data, serve the API, manage the database."""


@cli.group()
def db() -> None:
    """Apply, inspect and roll back database migrations."""


def _migration_target() -> tuple[str, Any]:
    from repository.factory import resolve_database_url

    config = current_app.config
    return resolve_database_url(config), config["MIGRATIONS_DIR"]


@db.command("upgrade")
@one_line_errors
def db_upgrade() -> None:
    """Apply every pending migration."""
    from repository import migrations
    from repository.engine import redacted

    url, folder = _migration_target()
    applied = migrations.upgrade(url, folder)
    for migration_id in applied:
        click.echo(f"applied {migration_id}")
    click.echo(f"database {redacted(url)} is up to date ({len(applied)} applied now)")


@db.command("status")
@one_line_errors
def db_status() -> None:
    """List applied and pending migrations."""
    from repository import migrations

    url, folder = _migration_target()
    states = migrations.status(url, folder)
    for state in states:
        when = state.applied_at.strftime("%Y-%m-%d %H:%M:%S") if state.applied_at else "pending"
        click.echo(f"{'applied' if state.applied else 'pending':8} {state.id}  {when}")
    pending = sum(not state.applied for state in states)
    click.echo(f"{len(states) - pending} applied, {pending} pending")


@db.command("downgrade")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@one_line_errors
def db_downgrade(yes: bool) -> None:
    """Roll back the most recently applied migration (its rollback may drop data)."""
    from repository import migrations

    url, folder = _migration_target()
    if not yes:
        if not sys.stdin.isatty():
            raise CommandError("refusing to roll back without --yes when not on a terminal")
        click.confirm("Roll back the last migration? Its rollback may drop tables", abort=True)
    rolled_back = migrations.downgrade(url, folder)
    click.echo(f"rolled back {rolled_back}" if rolled_back else "nothing to roll back")


@click.command("run", params=run_command.params, help=run_command.help)
@click.pass_context
def checked_run_command(ctx: click.Context, **kwargs: Any) -> Any:
    """Refuse to serve while migrations are pending, then run Flask's development server."""
    from api.commands.keys import ensure_local_admin_key
    from api.extensions import known_migrations, repositories
    from api.startup import prepare_to_serve

    check_port_free(kwargs["host"], kwargs["port"])
    stop_embedded_on_exit()
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        try:
            prepare_to_serve(repositories(), known_migrations())
            ensure_local_admin_key(f"http://{kwargs['host']}:{kwargs['port']}")
        except InsightsError as error:
            raise CommandError(error.message) from None
        _start_campaign_workers(app, kwargs)
    return ctx.invoke(run_command, **kwargs)


def _start_campaign_workers(app: Any, kwargs: dict[str, Any]) -> None:
    """Start WORKER_PROCESSES campaign workers, stopped with the API (not in a reloader's
    watching parent, which serves nothing)."""
    import os

    from api.commands.worker import start_workers
    from api.extensions import repositories

    reloads = kwargs.get("reload")
    if reloads is None:
        reloads = app.debug
    if reloads and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    engine = repositories().engine
    if app.config["WORKER_PROCESSES"] and engine is not None:
        start_workers(app.config["WORKER_PROCESSES"], engine.url.render_as_string(False))


db.add_command(stop_embedded_command)
cli.add_command(checked_run_command)
cli.add_command(shell_command)
cli.add_command(routes_command)
cli.add_command(keys_group)
for command in (*data_commands, *content_commands, *outreach_commands, *research_commands):
    cli.add_command(command)
cli.add_command(worker_command)
cli.add_command(campaigns_group)
cli.add_command(deliveries_group)  # issue 15
campaigns_group.add_command(campaign_metrics_command)
