"""How the command line reports failure: one line on stderr, exit status 2."""

from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from repository.errors import InsightsError

USAGE_ERROR = 2
# SQLSTATEs of a table or column the query expects and the database lacks: its schema is
# behind the code (never upgraded, or not since an update).
_SCHEMA_BEHIND = frozenset({"42P01", "42703"})  # undefined_table, undefined_column


class CommandError(click.ClickException):
    """A failure reported as one line, exit status 2."""

    exit_code = USAGE_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"insights: error: {self.format_message()}", err=True, file=file)


def one_line_errors(command: Callable) -> Callable:
    """Turn the project's and the database's errors into CommandError: no tracebacks."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InsightsError as error:
            raise CommandError(error.message) from None
        except Exception as error:
            # SQLAlchemy is imported late, so that --help does not pay for it.
            from sqlalchemy.exc import SQLAlchemyError

            if not isinstance(error, SQLAlchemyError):
                raise
            raise CommandError(_describe_database_error(error)) from None

    return wrapper


def _describe_database_error(error: Exception) -> str:
    """One line for a database error, pointing at the migrations when the schema lags."""
    original = getattr(error, "orig", None)
    text = str(original or error).strip()
    if getattr(original, "sqlstate", None) in _SCHEMA_BEHIND:
        first_line = text.splitlines()[0] if text else "a table is missing"
        return (
            f"the database schema is missing or out of date ({first_line}); "
            "run `insights db upgrade` first"
        )
    return "database error: " + " ".join(text.split())
