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
    from api.research_schemas import ResearchQuestionSchema

    # The endpoint's own rules: 1 to 500 characters, words, no control characters.
    problems = ResearchQuestionSchema().validate({"question": question}).get("question")
    if problems:
        raise CommandError(f"the question {' '.join(problems).lower().rstrip('.')}")
    answer = research_assistant().ask(question)
    click.echo(json.dumps(answer, indent=2, ensure_ascii=False, default=str))


research_commands = [ask_command]
