"""Validation of consent and contact input, the CSV reader and the generated contacts."""

from pathlib import Path

import pandas as pd
import pytest

from pipelines.ingestion.synthetic import contact_sheet, contacts_path, sheet_customer_ids
from pipelines.outreach.consent import (
    change_customer_consent,
    consent_change_of,
    consent_changes_from_csv,
)
from pipelines.outreach.contacts import contacts_from_csv, normalised_email
from pipelines.outreach.fields import checked_source, customer_id_of, optional_text
from pipelines.outreach.rows import read_rows
from repository.consent import OPT_IN, OPT_OUT
from repository.errors import InvalidInput, NotFound
from repository.model import Customer
from tests.fakes import InMemoryConsentRepository, InMemoryCustomerRepository


class TestEmailAddresses:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("ada@example.com", "ada@example.com"),
            ("  Ada@EXAMPLE.COM ", "Ada@example.com"),  # domain lower-cased, local part kept
            ("first.last+tag@sub.example.org", "first.last+tag@sub.example.org"),
            ("josé@example.net", "josé@example.net"),
        ],
    )
    def test_valid_addresses_come_back_normalised(self, raw, expected):
        assert normalised_email(raw) == expected

    @pytest.mark.parametrize(
        "raw",
        ["", "   ", "plain", "@example.com", "a@", "a@@example.com", "a b@example.com",
         "a@localhost", "a@example", "a@host.test", "x" * 300 + "@example.com"],
    )  # fmt: skip
    def test_invalid_addresses_are_refused_naming_the_field_without_the_address(self, raw):
        with pytest.raises(InvalidInput) as caught:
            normalised_email(raw)
        assert caught.value.field == "email"
        if raw.strip():
            assert raw.strip() not in caught.value.message


class TestSharedFields:
    @pytest.mark.parametrize(
        ("raw", "expected"), [("1", 1), (" 42 ", 42), ("2147483647", 2147483647)]
    )
    def test_customer_ids_are_whole_numbers_in_range(self, raw, expected):
        assert customer_id_of(raw) == expected

    @pytest.mark.parametrize("raw", ["0", "-3", "1.0", "abc", "", "2147483648", "1e3"])
    def test_other_customer_ids_are_refused(self, raw):
        with pytest.raises(InvalidInput) as caught:
            customer_id_of(raw)
        assert caught.value.field == "customer_id"

    @pytest.mark.parametrize("raw", ["api", "import", "web-form", "crm_2"])
    def test_sources_like_the_tables_constraint_pass(self, raw):
        assert checked_source(raw) == raw

    @pytest.mark.parametrize("raw", ["", "API", "2fa", "a b", "x" * 33])
    def test_other_sources_are_refused(self, raw):
        with pytest.raises(InvalidInput):
            checked_source(raw)

    def test_free_text_is_trimmed_empty_is_none_and_limits_hold(self):
        assert optional_text("  why  ", "reason", 10) == "why"
        assert optional_text("   ", "reason", 10) is None
        with pytest.raises(InvalidInput):
            optional_text("x" * 11, "reason", 10)
        with pytest.raises(InvalidInput):
            optional_text("a\x00b", "reason", 10)


class TestCsvRows:
    def test_rows_carry_their_line_and_cells_by_trimmed_lower_case_column(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_text(' Customer_ID ,Reason\n1,"two\nlines"\n\n3,x,extra\n', encoding="utf-8")
        rows = read_rows(path, {"customer_id"}, {"reason"})
        assert [(row.line, row.cells, row.extra_cells) for row in rows] == [
            (3, {"customer_id": "1", "reason": "two\nlines"}, 0),
            (5, {"customer_id": "3", "reason": "x"}, 1),
        ]

    def test_a_byte_order_mark_does_not_hide_the_first_column(self, tmp_path):
        path = tmp_path / "f.csv"
        path.write_bytes("\ufeffcustomer_id\n7\n".encode())
        assert read_rows(path, {"customer_id"}, set())[0].cells == {"customer_id": "7"}

    def test_consent_rows_default_to_opt_out_from_import(self, tmp_path):
        path = tmp_path / "c.csv"
        path.write_text("customer_id,action\n5,\n6,OPT_IN\n7,x,y\n", encoding="utf-8")
        changes, bad = consent_changes_from_csv(path, "me")
        assert [(c.customer_id, c.action, c.source, c.actor) for c in changes] == [
            (5, OPT_OUT, "import", "me"),
            (6, OPT_IN, "import", "me"),
        ]
        assert [(b.line, b.problem) for b in bad] == [(4, "more cells than the header has columns")]

    def test_a_customer_twice_in_a_contacts_file_keeps_the_first_line(self, tmp_path):
        path = tmp_path / "c.csv"
        path.write_text("customer_id,email\n1,a@example.com\n1,b@example.com\n", encoding="utf-8")
        contacts, bad = contacts_from_csv(path)
        assert [c.email for c in contacts] == ["a@example.com"]
        assert [(b.line, b.problem) for b in bad] == [(3, "customer 1 is already on line 2")]


class TestConsentUseCase:
    def test_an_unknown_action_is_refused(self):
        with pytest.raises(InvalidInput) as caught:
            consent_change_of(1, "maybe", None, "api", None)
        assert caught.value.field == "action"

    def test_an_unknown_customer_is_not_found_and_nothing_is_recorded(self):
        consent = InMemoryConsentRepository()
        change = consent_change_of(9, OPT_OUT, None, "api", "me")
        with pytest.raises(NotFound):
            change_customer_consent(InMemoryCustomerRepository(), consent, change)
        assert consent.events == []

    def test_a_known_customer_is_opted_out_once(self):
        customers = InMemoryCustomerRepository([Customer(9, "Jedi", "Red")])
        consent = InMemoryConsentRepository()
        change = consent_change_of(9, OPT_OUT, "why", "api", "me")
        first = change_customer_consent(customers, consent, change)
        second = change_customer_consent(customers, consent, change)
        assert (first.changed, second.changed, second.state.opted_out) == (True, False, True)
        assert len(consent.events) == 1


class TestGeneratedContacts:
    def test_ids_come_from_the_sheets_clean_numeric_cells_once_each(self):
        frame = pd.DataFrame({"Customer Id": ["3", " 1", "3", "x7", "", "0", "12"]})
        assert sheet_customer_ids(frame) == [1, 3, 12]

    def test_the_same_seed_gives_the_same_contacts_and_another_differs(self):
        ids = list(range(1, 201))
        assert contact_sheet(ids, 4).equals(contact_sheet(ids, 4))
        assert not contact_sheet(ids, 4).equals(contact_sheet(ids, 5))

    def test_one_in_twenty_has_no_address_and_all_addresses_are_valid_and_reserved(self):
        ids = list(range(1, 201))
        sheet = contact_sheet(ids, 0)
        assert len(ids) - len(sheet) == 10
        for email in sheet["email"]:
            domain = normalised_email(email).rsplit("@", 1)[1]
            assert domain in {"example.com", "example.org", "example.net"}
        assert (sheet["email"] != sheet["email"].str.lower()).any(), "normalisation unexercised"

    def test_the_file_goes_in_the_csv_folder_or_beside_the_workbook(self):
        assert contacts_path(Path("out"), "csv") == Path("out/contacts.csv")
        assert contacts_path(Path("d/export.xlsx"), "xlsx") == Path("d/export_contacts.csv")
