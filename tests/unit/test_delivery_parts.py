"""Delivery's pure parts: MAIL_URL, unsubscribe tokens, send outcomes, subjects."""

import smtplib
from pathlib import Path

import pytest

from pipelines.delivery.message import SubjectError, check_subject, derived_subject, domain_of
from pipelines.delivery.sender import outcome_of
from pipelines.delivery.transport import parse_mail_url
from pipelines.delivery.unsubscribe import read_token, unsubscribe_token
from repository.errors import ConfigurationError


class TestMailUrl:
    def test_smtp_with_credentials_and_starttls(self):
        settings = parse_mail_url("smtp://me%40x:p%3Ass@mail.example:587?starttls=true")
        assert (settings.host, settings.port, settings.username, settings.password) == (
            "mail.example", 587, "me@x", "p:ss")  # fmt: skip
        assert settings.starttls and settings.reuse

    def test_the_default_file_outbox_is_a_relative_folder(self):
        assert parse_mail_url("file://.data/outbox").directory == Path(".data/outbox")

    @pytest.mark.parametrize("url", ["http://x", "smtp://", "smtp://host:notaport", "outbox"])
    def test_anything_else_is_refused(self, url):
        with pytest.raises(ConfigurationError):
            parse_mail_url(url)


class TestUnsubscribeTokens:
    def test_a_token_reads_back_to_its_ids(self):
        assert read_token(b"s", unsubscribe_token(b"s", 3, 44)) == (3, 44)

    def test_another_secret_or_another_customer_does_not_verify(self):
        token = unsubscribe_token(b"s", 3, 44)
        assert read_token(b"other", token) is None
        assert read_token(b"s", token.replace(".44.", ".45.")) is None
        assert read_token(b"s", "3.44") is None


class TestOutcomes:
    def test_a_permanent_refusal_fails_and_a_temporary_one_waits(self):
        assert outcome_of(smtplib.SMTPDataError(554, b"no"))[0] == "failed"
        assert outcome_of(smtplib.SMTPDataError(451, b"later"))[0] == "queued"
        refused = smtplib.SMTPRecipientsRefused({"a@x": (550, b"unknown user")})
        assert outcome_of(refused)[0] == "failed"

    def test_a_dropped_connection_is_unknown(self):
        assert outcome_of(smtplib.SMTPServerDisconnected("gone"))[0] == "unknown"
        assert outcome_of(TimeoutError())[0] == "unknown"


class TestSubjects:
    def test_the_focus_names_the_subject_and_none_gives_the_default(self):
        assert derived_subject("Product A") == "About Product A"
        assert derived_subject(None) == "A note from our team"

    def test_a_line_break_never_reaches_a_header(self):
        assert "\n" not in derived_subject("X\r\nBcc: everyone@example.test")
        with pytest.raises(SubjectError):
            check_subject("Hi\nBcc: x")

    def test_message_ids_use_the_from_domain(self):
        assert domain_of("Team <team@example.test>") == "example.test"
