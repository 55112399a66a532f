from pathlib import Path

import pytest

from api.config import load_config
from repository.errors import ConfigurationError


class TestLoadConfig:
    def test_an_empty_environment_gives_local_defaults_and_the_embedded_database(self):
        config = load_config({})
        assert config["DATABASE_URL"] is None
        assert config["EMBEDDED_PG_DIR"] == ".data/postgres"
        assert config["LOG_LEVEL"] == "INFO"
        assert config["LOG_FORMAT"] == "auto"

    def test_an_empty_database_url_counts_as_unset(self):
        assert load_config({"DATABASE_URL": ""})["DATABASE_URL"] is None

    def test_database_url_is_taken_as_given(self):
        url = "postgresql://u:p@db:5432/insights"
        assert load_config({"DATABASE_URL": url})["DATABASE_URL"] == url

    def test_migrations_live_under_the_artifacts_dir_unless_overridden(self, tmp_path):
        config = load_config({"ARTIFACTS_DIR": str(tmp_path)})
        assert config["MIGRATIONS_DIR"] == tmp_path / "migrations"
        other = load_config({"ARTIFACTS_DIR": str(tmp_path), "MIGRATIONS_DIR": "/m"})
        assert other["MIGRATIONS_DIR"] == Path("/m")

    def test_choices_are_case_insensitive_and_canonicalised(self):
        config = load_config({"LOG_LEVEL": "debug", "LOG_FORMAT": "JSON"})
        assert (config["LOG_LEVEL"], config["LOG_FORMAT"]) == ("DEBUG", "json")

    @pytest.mark.parametrize(
        ("name", "value"),
        [("DB_POOL_SIZE", "lots"), ("DB_POOL_SIZE", "0"), ("DB_STATEMENT_TIMEOUT_MS", "-5")],
    )
    def test_a_bad_number_names_the_variable(self, name, value):
        with pytest.raises(ConfigurationError, match=name):
            load_config({name: value})

    @pytest.mark.parametrize("name", ["LOG_FORMAT", "LOG_LEVEL", "LLM_PROVIDER"])
    def test_an_unknown_choice_names_the_variable(self, name):
        with pytest.raises(ConfigurationError, match=f"{name} must be one of"):
            load_config({name: "bogus"})
