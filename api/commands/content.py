"""``insights content``: work with stored generations from the command line."""

from uuid import UUID

import click

from api.commands.errors import CommandError, one_line_errors
from api.commands.usage import usage_command
from api.extensions import content_pipeline

# Exit statuses of ``content replay``: like diff(1), 0 identical and 1 different; 2 is
# every error (unknown or malformed id, nothing to replay, the model failing).
IDENTICAL, DIFFERENT = 0, 1


@click.group("content")
def content() -> None:
    """Inspect and replay generated content, and report its tokens and cost."""


@content.command("replay")
@click.argument("content_id")
@one_line_errors
def replay_command(content_id: str) -> None:
    """Send a stored generation's exact messages to the configured model again.

    Prints a unified diff of the stored text against the new one. Exit status: 0 when
    identical, 1 when different, 2 on an error. Nothing is stored.
    """
    from pipelines.content.replay import replay  # LangChain: loaded only for this command

    try:
        wanted = UUID(content_id)
    except ValueError:
        raise CommandError(f"content id must be a UUID, got {content_id!r}") from None
    pipeline = content_pipeline()
    outcome = replay(pipeline.generated.get(wanted), pipeline.provider)
    if outcome.identical:
        click.echo(f"identical: the replayed text matches stored content {wanted}")
        raise SystemExit(IDENTICAL)
    click.echo(
        "".join(line if line.endswith("\n") else line + "\n" for line in outcome.diff), nl=False
    )
    raise SystemExit(DIFFERENT)


content.add_command(usage_command)
content_commands = [content]
