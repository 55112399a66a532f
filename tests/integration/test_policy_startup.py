"""A policy file that cannot be used stops start-up with one line naming the file and line."""

from click.testing import CliRunner

from api.commands import cli

BROKEN = '[restricted]\nphrases = ["cure"\n\n[safety]\nwindow_months = 12\n'


def test_the_command_line_refuses_to_start_naming_the_file_and_line(tmp_path, database_url):
    (tmp_path / "v1.toml").write_text(BROKEN, encoding="utf-8")
    env = {"DATABASE_URL": database_url, "POLICY_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["db", "status"], env=env)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"insights: error: policy file {tmp_path / 'v1.toml'} ")
    # tomllib reports the unclosed array where it notices it: the next table, line 4.
    assert "does not parse: line 4, column 1: Unclosed array" in result.output
