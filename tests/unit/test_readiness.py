import dataclasses

import pytest

from api.readiness import readiness_checks, require_current_schema
from repository.errors import Unavailable
from repository.factory import Repositories
from tests.fakes import InMemoryHealthRepository, UnreachableHealthRepository, fake_repositories


def _repositories(health) -> Repositories:
    return dataclasses.replace(fake_repositories(), health=health)


class TestReadinessChecks:
    def test_all_ok_when_reachable_and_current(self):
        checks = readiness_checks(_repositories(InMemoryHealthRepository(["0001"])), ["0001"])
        assert checks == {"database": "ok", "migrations": "ok"}

    def test_names_the_pending_migrations(self):
        checks = readiness_checks(
            _repositories(InMemoryHealthRepository(["0001"])), ["0001", "0002_x", "0003_y"]
        )
        assert checks["migrations"] == "2 pending (0002_x, 0003_y)"

    def test_an_unreachable_database_is_reported_not_raised(self):
        checks = readiness_checks(_repositories(UnreachableHealthRepository()), ["0001"])
        assert checks == {"database": "unreachable", "migrations": "unknown"}


class TestRequireCurrentSchema:
    def test_passes_when_current(self):
        require_current_schema(_repositories(InMemoryHealthRepository(["0001"])), ["0001"])

    def test_refuses_with_the_command_to_run(self):
        with pytest.raises(Unavailable, match=r"0002_x.*insights db upgrade"):
            require_current_schema(
                _repositories(InMemoryHealthRepository(["0001"])), ["0001", "0002_x"]
            )
