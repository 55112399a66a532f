import pytest

from repository.engine import driver_url, libpq_url, redacted
from repository.errors import ConfigurationError


class TestDriverUrl:
    @pytest.mark.parametrize(
        "url",
        [
            "postgres://u:p@h:5432/d",
            "postgresql://u:p@h:5432/d",
            "postgresql+psycopg://u:p@h:5432/d",
            "PostgreSQL://u:p@h:5432/d",
        ],
    )
    def test_every_postgres_spelling_becomes_the_psycopg3_scheme(self, url):
        assert driver_url(url) == "postgresql+psycopg://u:p@h:5432/d"

    def test_socket_urls_keep_their_host_parameter(self):
        url = "postgresql://postgres:@/postgres?host=/tmp/pg"
        assert driver_url(url) == "postgresql+psycopg://postgres:@/postgres?host=/tmp/pg"
        assert libpq_url(url) == url

    @pytest.mark.parametrize("url", ["mysql://u@h/d", "sqlite:///x.db", "not a url"])
    def test_other_databases_are_refused_with_a_clear_message(self, url):
        with pytest.raises(ConfigurationError, match="must be a PostgreSQL URL"):
            driver_url(url)


def test_redacted_hides_the_password():
    shown = redacted("postgresql://user:s3cret@db:5432/insights")
    assert "s3cret" not in shown
    assert "user" in shown and "db:5432/insights" in shown
