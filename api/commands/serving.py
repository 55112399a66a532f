"""What `insights run` does around Flask's server: check the port, stop cleanly; `make stop`."""

import errno
import socket

import click
from werkzeug.serving import is_running_from_reloader

from api.commands.errors import CommandError, one_line_errors


def check_port_free(host: str, port: int) -> None:
    """Fail with one line naming the setting to change when ``port`` is taken.

    Flask's own message comes after the app (and the database) has started, and does not
    say how this project chooses the port.
    """
    if is_running_from_reloader():
        return  # --debug: the reloader's parent holds the socket and hands it over
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # The server sets this too: a port left in TIME_WAIT is free for it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                return  # the server reports other problems (unknown host...) itself
            raise CommandError(
                f"port {port} on {host} is in use by another program; choose another "
                "with --port N (make run PORT=N)"
            ) from None


def stop_embedded_on_exit() -> None:
    """Make SIGTERM/SIGHUP exit normally, so the embedded server this process uses stops."""
    from repository.embedded import stop_on_termination_signals

    stop_on_termination_signals()


@click.command("stop-embedded")
@one_line_errors
def stop_embedded_command() -> None:
    """Stop the embedded PostgreSQL of EMBEDDED_PG_DIR, even if a process still uses it."""
    from api.config import load_config
    from repository.embedded import stop_leftover_postgres

    data_dir = load_config()["EMBEDDED_PG_DIR"]
    stopped = stop_leftover_postgres(data_dir)
    if stopped:
        click.echo(f"stopped the embedded PostgreSQL of {data_dir} (pid {stopped[0]})")
    else:
        click.echo(f"no embedded PostgreSQL running for {data_dir}")
