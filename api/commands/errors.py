"""How the command line reports failure: one line on stderr, exit status 2."""

from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from repository.errors import InsightsError

USAGE_ERROR = 2


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
            detail = " ".join(str(getattr(error, "orig", None) or error).split())
            raise CommandError(f"database error: {detail}") from None

    return wrapper
