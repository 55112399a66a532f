"""``insights ask``: put a question to the research assistant from the command line."""

import json

import click
from flask.cli import with_appcontext

from api.commands.errors import CommandError, one_line_errors


@click.command("ask")
@click.argument("question")
@with_appcontext
@one_line_errors
def ask_command(question: str) -> None:
    """Answer a question about the interactions; print the answer as JSON."""
    from api.research import research_assistant  # the app's modules: not for --help
    from api.research_schemas import MAX_QUESTION

    if not question.strip() or len(question) > MAX_QUESTION:
        raise CommandError(f"the question must have 1 to {MAX_QUESTION} characters")
    answer = research_assistant().ask(question)
    click.echo(json.dumps(answer, indent=2, ensure_ascii=False, default=str))


research_commands = [ask_command]
