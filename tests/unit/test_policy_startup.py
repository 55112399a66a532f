"""The app factory loads the policy: an unusable one stops it, the bundled one is used."""

import pytest

from api import create_app
from repository.errors import ConfigurationError
from repository.migrations import migration_ids
from tests.fakes import fake_repositories
from tests.support import MIGRATIONS_DIR

CONFIG = {"TESTING": True, "DATABASE_URL": None, "LOG_FORMAT": "json"}


def build(**overrides):
    return create_app({**CONFIG, **overrides}, fake_repositories(migration_ids(MIGRATIONS_DIR)))


def test_a_policy_without_its_restricted_phrases_stops_the_app(tmp_path):
    (tmp_path / "v1.toml").write_text("[safety]\nwindow_months = 12\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"v1\.toml .*missing key restricted\.phrases"):
        build(POLICY_DIR=tmp_path)


def test_the_app_reviews_with_the_bundled_policy(app):
    assert app.extensions["insights"]["content"].policy.version == "policy/v1"
