"""Commands that move data: ingest, inspect runs and quarantine, generate data sets."""

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

from api.commands.errors import CommandError, one_line_errors
from api.commands.progress import stage_progress
from api.extensions import repositories

if TYPE_CHECKING:  # the ingestion modules load pandas: imported when a command runs
    from pipelines.ingestion.limits import Limits
    from repository.ingestion import AbstractIngestionRepository


def _limits() -> "Limits":
    """Return the source size limits the configuration sets."""
    from pipelines.ingestion.limits import Limits

    config = current_app.config
    return Limits(config["INGEST_MAX_FILE_MB"], config["INGEST_MAX_CELL_CHARS"])


def _ingestion_repository() -> "AbstractIngestionRepository":
    repository = repositories().ingestion
    if repository is None:
        raise CommandError("this app was built without an ingestion repository")
    return repository


@click.command("ingest")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--from-legacy-tables", is_flag=True, help="Clean the legacy tables instead.")
@click.option("--report-json", type=click.Path(path_type=Path), help="Also write the report here.")
@click.option("--force", is_flag=True, help="Reload even if identical to the last run.")
@click.option(
    "--allow-shrink", is_flag=True, help="Load even if a clean table would lose many rows."
)
@click.option("--if-empty", is_flag=True, help="Load only if no load has succeeded yet.")
@with_appcontext
@one_line_errors
def ingest_command(
    path: Path | None,
    from_legacy_tables: bool,
    report_json: Path | None,
    force: bool,
    allow_shrink: bool,
    if_empty: bool,
) -> None:
    """Clean PATH (an .xlsx workbook or a folder of CSV files) into the clean tables."""
    if (path is None) == (not from_legacy_tables):
        raise CommandError("give either PATH or --from-legacy-tables, not both or neither")
    repository = _ingestion_repository()
    latest = repository.latest_succeeded_run() if if_empty else None
    if latest is not None:
        click.echo(f"data already loaded (run {latest.id}, {latest.source_name}); not loading")
        return
    from pipelines.ingestion import STAGES, format_report, ingest
    from pipelines.ingestion.sources import read_source, source_from_legacy_tables
    from pipelines.ingestion.steps import StepLog
    from repository.ingestion import LOAD_STEPS

    with stage_progress("ingesting", ("read", *STAGES, *LOAD_STEPS)) as progress:
        on_stage = StepLog(progress)  # times "read" too, and logs every step
        on_stage("read")
        if from_legacy_tables:
            source = source_from_legacy_tables(repository.read_legacy_tables(), _limits())
        else:
            assert path is not None
            source = read_source(path, _limits())
        max_shrink = None if allow_shrink else current_app.config["INGEST_MAX_SHRINK"]
        report = ingest(source, repository, force=force, max_shrink=max_shrink, on_stage=on_stage)
    click.echo(format_report(report))
    if report_json:
        report_json.write_text(json.dumps(report.to_dict(), indent=2) + "\n")


@click.group("runs")
def runs_group() -> None:
    """Inspect ingestion runs."""


@runs_group.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@with_appcontext
@one_line_errors
def runs_list(limit: int) -> None:
    """List the most recent ingestion runs, newest first."""
    runs = _ingestion_repository().list_runs(limit)
    if not runs:
        click.echo("no ingestion runs yet")
    for run in runs:
        sheets = run.counts.get("sheets", {})
        summary = " ".join(
            f"{name}={c['clean_rows']}+{c['quarantined_rows']}q" for name, c in sheets.items()
        )
        when = run.started_at.strftime("%Y-%m-%d %H:%M:%S")
        detail = summary or (run.error or "")
        click.echo(f"{run.id:>5}  {when}  {run.status:<9}  {run.source_name}  {detail}")


@click.group("quarantine")
def quarantine_group() -> None:
    """Inspect the rows that ingestion kept out of the clean tables."""


@quarantine_group.command("list")
@click.option("--run", "run_id", type=click.IntRange(min=1), help="Default: the latest run.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@with_appcontext
@one_line_errors
def quarantine_list(run_id: int | None, limit: int) -> None:
    """List quarantined rows with their reason and original values."""
    rows = _ingestion_repository().list_quarantine(run_id, limit)
    if not rows:
        click.echo("no quarantined rows")
    for row in rows:
        original = json.dumps(row.original, ensure_ascii=False, sort_keys=True)
        click.echo(f"run {row.run_id}  {row.sheet}:{row.source_row}  {row.reason}  {original}")


@click.command("generate-data")
@click.option("--customers", type=click.IntRange(min=1), required=True)
@click.option("--interactions", type=click.IntRange(min=1), required=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx")
@click.option("--brief-examples", is_flag=True, help="Start with the brief's example rows.")
@click.option("--force", is_flag=True, help="Overwrite existing files, create missing folders.")
def generate_data(
    customers: int,
    interactions: int,
    seed: int,
    out: Path,
    fmt: str,
    brief_examples: bool,
    force: bool,
) -> None:
    """Write a realistic, messy data set in the source format (same seed, same output)."""
    # Imported here so that serving the API never loads the generator and its tables.
    from pipelines.ingestion import synthetic

    problem = None if force else synthetic.clobber_problem(out, fmt)
    if problem:
        raise CommandError(f"{problem}; pass --force to write there anyway")
    try:
        with stage_progress("generating data", ("generate", "write")) as on_stage:
            on_stage("generate")
            dataset = synthetic.generate_dataset(
                customers, interactions, seed, include_brief_examples=brief_examples
            )
            on_stage("write")
            written_paths = synthetic.write_dataset(dataset, out, fmt)
            contacts = synthetic.contact_sheet(
                synthetic.sheet_customer_ids(dataset["customers"]), seed
            )
            written_paths.append(
                synthetic.write_contacts(contacts, synthetic.contacts_path(out, fmt))
            )
    except ValueError as error:
        raise CommandError(str(error)) from None
    for written in written_paths:
        click.echo(f"wrote {written}")


data_commands = (ingest_command, runs_group, quarantine_group, generate_data)
