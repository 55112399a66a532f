"""`insights consent import` and `insights contacts import` on PostgreSQL, and the contacts
file `insights generate-data` writes."""

import csv
import getpass
from pathlib import Path

import pytest

from tests.support import query


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _events(database_url: str) -> list[tuple]:
    return query(
        database_url,
        "SELECT customer_id, action, reason, source, actor FROM insights.consent_events "
        "ORDER BY id",
    )


def _opted_out(database_url: str) -> list[tuple]:
    return query(
        database_url, "SELECT customer_id, reason, source FROM insights.opt_outs ORDER BY 1"
    )


def _contacts(database_url: str) -> list[tuple]:
    return query(
        database_url,
        "SELECT customer_id, email, display_name, source FROM insights.contacts ORDER BY 1",
    )


class TestConsentImport:
    def test_good_rows_load_in_order_and_bad_rows_are_listed_by_line(
        self, insights, database_url, tmp_path
    ):
        path = _write(
            tmp_path / "consent.csv",
            "customer_id,action,reason,source\n"
            "3,,moved away,\n"  # line 2: defaults opt_out / import
            "abc,opt_out,,\n"  # line 3: bad id
            "4,opt_out,,letter\n"  # line 4
            "4,opt_in,,letter\n"  # line 5: back in, same file
            "5,unsubscribe,,\n"  # line 6: bad action
            "3,opt_out,again,\n"  # line 7: already out
            "6,opt_out,,Bad Source\n",  # line 8: bad source
        )
        result = insights("consent", "import", str(path))
        assert result.exit_code == 0, result.output
        stderr_lines = result.stderr.splitlines()
        assert [line.split(": ", 1)[0] for line in stderr_lines] == [
            f"{path}:3",
            f"{path}:6",
            f"{path}:8",
        ]
        assert "customer_id" in stderr_lines[0] and "action" in stderr_lines[1]
        assert "source" in stderr_lines[2]
        assert result.stdout.strip() == (
            "4 rows loaded: 2 opted out, 1 opted in, 1 unchanged; 3 bad rows left out"
        )
        actor = getpass.getuser()
        assert _events(database_url) == [
            (3, "opt_out", "moved away", "import", actor),
            (4, "opt_out", None, "letter", actor),
            (4, "opt_in", None, "letter", actor),
        ]
        assert _opted_out(database_url) == [(3, "moved away", "import")]

    def test_importing_the_same_file_twice_adds_nothing(self, insights, database_url, tmp_path):
        path = _write(tmp_path / "consent.csv", "customer_id\n8\n9\n")
        assert insights("consent", "import", str(path)).exit_code == 0
        again = insights("consent", "import", str(path))
        assert "0 opted out, 0 opted in, 2 unchanged" in again.stdout
        assert len(_events(database_url)) == 2 and len(_opted_out(database_url)) == 2

    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            ("reason,source\nx,api\n", "no customer_id column"),
            ("customer_id,channel\n1,sms\n", "unknown column channel"),
            ("", "empty"),
            (None, "no such file"),
        ],
    )
    def test_a_bad_file_is_one_line_exit_2_and_leaves_nothing_behind(
        self, insights, database_url, tmp_path, content, expected
    ):
        path = tmp_path / "consent.csv"
        if content is not None:
            _write(path, content)
        result = insights("consent", "import", str(path))
        assert result.exit_code == 2
        assert result.stderr.startswith("insights: error: ") and expected in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert _events(database_url) == [] and _opted_out(database_url) == []

    def test_a_file_that_is_not_utf8_is_refused_whole(self, insights, database_url, tmp_path):
        path = tmp_path / "consent.csv"
        path.write_bytes(b"customer_id,reason\n1,caf\xe9\n")
        result = insights("consent", "import", str(path))
        assert result.exit_code == 2 and "UTF-8" in result.stderr
        assert _events(database_url) == []


class TestContactsImport:
    def test_good_rows_are_stored_normalised_and_bad_rows_listed_by_line(
        self, insights, database_url, tmp_path
    ):
        path = _write(
            tmp_path / "contacts.csv",
            "customer_id,email,display_name\n"
            "1,Jedi@EXAMPLE.COM,Jedi\n"  # line 2
            "2,not an address,Batman\n"  # line 3
            "3,santa@example.org,\n"  # line 4
            "1,other@example.com,Again\n"  # line 5: customer 1 twice
            "0,zero@example.com,\n"  # line 6: bad id
            "4,mover@localhost,\n",  # line 7: no dot in the domain
        )
        result = insights("contacts", "import", str(path))
        assert result.exit_code == 0, result.output
        assert [line.split(": ", 1)[0] for line in result.stderr.splitlines()] == [
            f"{path}:{line}" for line in (3, 5, 6, 7)
        ]
        assert "already on line 2" in result.stderr.splitlines()[1]
        assert "not an address" not in result.stderr  # addresses are not echoed
        assert result.stdout.strip() == (
            "2 rows loaded: 2 added, 0 updated, 0 unchanged; 4 bad rows left out"
        )
        assert _contacts(database_url) == [
            (1, "Jedi@example.com", "Jedi", "import"),
            (3, "santa@example.org", None, "import"),
        ]

    def test_a_second_import_updates_changed_addresses_only(self, insights, database_url, tmp_path):
        first = _write(tmp_path / "a.csv", "customer_id,email\n1,a@example.com\n2,b@example.com\n")
        second = _write(tmp_path / "b.csv", "customer_id,email\n1,a@example.com\n2,c@example.com\n")
        insights("contacts", "import", str(first))
        result = insights("contacts", "import", str(second))
        assert "0 added, 1 updated, 1 unchanged" in result.stdout
        assert [row[1] for row in _contacts(database_url)] == ["a@example.com", "c@example.com"]

    def test_a_bad_file_is_one_line_exit_2_and_leaves_nothing_behind(
        self, insights, database_url, tmp_path
    ):
        path = _write(tmp_path / "contacts.csv", "customer_id,display_name\n1,Jedi\n")
        result = insights("contacts", "import", str(path))
        assert result.exit_code == 2 and "no email column" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert _contacts(database_url) == []


class TestGeneratedContacts:
    def test_generate_data_writes_contacts_that_import_cleanly_with_some_no_address(
        self, app, insights, database_url, tmp_path
    ):
        out = tmp_path / "data"
        result = insights(
            "generate-data", "--customers", "60", "--interactions", "300",
            "--seed", "3", "--out", str(out), "--format", "csv",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        contacts_file = out / "contacts.csv"
        assert f"wrote {contacts_file}" in result.stdout
        with contacts_file.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        domains = {row["email"].rsplit("@", 1)[1].lower() for row in rows}
        assert domains <= {"example.com", "example.org", "example.net"}
        assert insights("ingest", str(out)).exit_code == 0
        imported = insights("contacts", "import", str(contacts_file))
        assert imported.exit_code == 0 and "0 bad rows" in imported.stdout, imported.output
        customers = [
            row[0]
            for row in query(database_url, "SELECT DISTINCT customer_id FROM insights.customers")
        ]
        reach = app.extensions["insights"]["repositories"].contacts.reachability(customers)
        listed = {int(row["customer_id"]) for row in rows}
        assert set(reach.addresses) == listed & set(customers)
        assert set(reach.no_address) == set(customers) - listed
        assert reach.no_address, "some generated customers must have no address"
