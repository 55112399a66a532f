"""``insights keys ...`` and the local admin key that ``insights run`` makes on first start."""

import stat
from datetime import UTC, datetime, timedelta

import pytest

from api.commands.errors import CommandError
from api.commands.keys import ensure_local_admin_key
from tests.support import client_with_key, create_api_key, make_app, query


class TestCreate:
    def test_prints_the_key_alone_on_the_last_line(self, insights, client):
        result = insights("keys", "create", "--name", "reports", "--scopes", "stats:read")
        assert result.exit_code == 0
        key = result.stdout.splitlines()[-1]
        assert key.startswith("ci_") and " " not in key and len(key) > 40
        assert client.get("/api/v1/stats/customers", headers={"X-API-Key": key}).status_code == 200

    def test_an_expiry_is_stored_that_far_ahead(self, insights, database_url):
        insights("keys", "create", "--name", "temp", "--scopes", "admin", "--expires-in", "90d")
        (expires_at,) = query(database_url, "SELECT expires_at FROM insights.api_keys")[0]
        assert abs(expires_at - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=1)

    @pytest.mark.parametrize(
        ("arguments", "named"),
        [
            (["--name", "x", "--scopes", "stats:write"], "stats:write"),
            (["--name", "x", "--scopes", ","], "scope"),
            (["--name", "x", "--scopes", "admin", "--expires-in", "soon"], "--expires-in"),
            (["--name", "x", "--scopes", "admin", "--expires-in", "0d"], "--expires-in"),
            (["--name", "has space", "--scopes", "admin"], "has space"),
        ],
    )
    def test_bad_input_is_one_line_exit_2_and_creates_nothing(
        self, insights, database_url, arguments, named
    ):
        result = insights("keys", "create", *arguments)
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1 and named in result.stderr
        assert query(database_url, "SELECT count(*) FROM insights.api_keys") == [(0,)]

    def test_a_taken_name_is_one_line_exit_2(self, insights):
        insights("keys", "create", "--name", "dup", "--scopes", "admin")
        again = insights("keys", "create", "--name", "dup", "--scopes", "stats:read")
        assert again.exit_code == 2 and "'dup' already exists" in again.stderr
        assert again.stderr.count("\n") == 1


class TestListAndRevoke:
    def test_list_shows_each_key_without_its_secret(self, insights):
        created = insights("keys", "create", "--name", "analyst", "--scopes", "stats:read")
        key = created.stdout.splitlines()[-1]
        listing = insights("keys", "list").stdout
        (line,) = [line for line in listing.splitlines() if line.startswith("analyst ")]
        assert key[:11] in line and "stats:read" in line and "never" in line
        assert line.split()[-1] == "active" and key not in listing

    def test_list_marks_a_revoked_key(self, insights):
        insights("keys", "create", "--name", "gone", "--scopes", "admin")
        assert insights("keys", "revoke", "gone").exit_code == 0
        (line,) = [line for line in insights("keys", "list").stdout.splitlines() if "gone" in line]
        assert line.split()[-1] == "revoked"

    def test_revoking_an_unknown_name_is_one_line_exit_2(self, insights):
        result = insights("keys", "revoke", "nobody")
        assert result.exit_code == 2 and "nobody" in result.stderr
        assert result.stderr.count("\n") == 1


class TestLocalAdminKey:
    @pytest.fixture
    def local_app(self, database_url, tmp_path):
        app = make_app(database_url, LOCAL_DATA_DIR=tmp_path / "data")
        yield app
        app.extensions["insights"]["repositories"].close()

    def _start(self, app, capsys) -> str:
        with app.app_context():
            ensure_local_admin_key("http://127.0.0.1:5000")
        return capsys.readouterr().out

    def test_first_start_prints_a_working_admin_key_once_with_a_curl_example(
        self, local_app, capsys, tmp_path
    ):
        first = self._start(local_app, capsys)
        path = tmp_path / "data" / "admin_api_key"
        key = path.read_text().strip()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert f"curl -H 'X-API-Key: {key}' http://127.0.0.1:5000/" in first
        admin = client_with_key(local_app, key)
        assert (
            admin.get("/api/v1/generated-content/00000000-0000-0000-0000-000000000001").status_code
            == 404
        )
        second = self._start(local_app, capsys)
        assert key not in second and str(path) in second
        assert path.read_text().strip() == key

    def test_a_stored_key_that_no_longer_works_is_replaced(self, local_app, capsys, tmp_path):
        self._start(local_app, capsys)
        path = tmp_path / "data" / "admin_api_key"
        old = path.read_text().strip()
        with local_app.app_context():
            local_app.extensions["insights"]["repositories"].api_keys.revoke("local-admin", None)
        again = self._start(local_app, capsys)
        new = path.read_text().strip()
        assert new != old and new in again
        assert client_with_key(local_app, new).get("/api/v1/stats/customers").status_code == 200


class TestPepper:
    @pytest.fixture(autouse=True)
    def _close_apps(self):
        self.apps = []
        yield
        for app in self.apps:
            app.extensions["insights"]["repositories"].close()

    def _app(self, database_url, tmp_path, pepper=None):
        app = make_app(database_url, API_KEY_PEPPER=pepper, LOCAL_DATA_DIR=tmp_path)
        self.apps.append(app)
        return app

    def test_unset_it_is_made_once_in_the_data_folder_and_shared(self, database_url, tmp_path):
        first, second = self._app(database_url, tmp_path), self._app(database_url, tmp_path)
        pepper = tmp_path / "api_key_pepper"
        assert not pepper.exists()  # made when keys are first used, not by every command
        key = create_api_key(first, "shared", "stats:read")
        assert stat.S_IMODE(pepper.stat().st_mode) == 0o600 and len(pepper.read_text()) > 40
        assert client_with_key(second, key).get("/api/v1/stats/customers").status_code == 200

    def test_another_pepper_refuses_the_same_key(self, database_url, tmp_path):
        key = create_api_key(self._app(database_url, tmp_path, "one pepper"), "k", "admin")
        other = self._app(database_url, tmp_path, "another pepper")
        assert client_with_key(other, key).get("/api/v1/stats/customers").status_code == 401


class TestAnUnusableDataFolder:
    def _start(self, database_url, folder):
        app = make_app(database_url, LOCAL_DATA_DIR=folder)
        try:
            with app.app_context(), pytest.raises(CommandError) as error:
                ensure_local_admin_key("http://127.0.0.1:5000")
        finally:
            app.extensions["insights"]["repositories"].close()
        active = "SELECT count(*) FROM insights.api_keys WHERE revoked_at IS NULL"
        assert query(database_url, active) == [(0,)]
        return error.value.format_message()

    def test_one_that_cannot_be_read_is_one_error_and_makes_no_key(self, database_url, tmp_path):
        (tmp_path / "file").write_text("a file where a folder should be")
        assert "cannot read" in self._start(database_url, tmp_path / "file")

    def test_one_that_cannot_be_written_leaves_no_usable_key(self, database_url):
        # /proc takes no new folders, even from root (the tests may run as root).
        assert "cannot keep" in self._start(database_url, "/proc/insights-no-such-folder")
