"""Delivery's pure parts: MAIL_URL, unsubscribe tokens, send outcomes, subjects."""

import copy
import io
import smtplib
from dataclasses import replace
from email import message_from_bytes, policy
from email.generator import BytesGenerator
from email.utils import parseaddr
from pathlib import Path

import pytest

from pipelines.content.subjects import SubjectError, check_subject, derived_subject
from pipelines.delivery.message import Sender, build_message, domain_of
from pipelines.delivery.sender import outcome_of
from pipelines.delivery.transport import parse_mail_url
from pipelines.delivery.unsubscribe import read_token, unsubscribe_token
from repository.deliveries import Outgoing
from repository.errors import ConfigurationError

SENDER = Sender("Team <team@example.test>", "team@example.test", "http://localhost:8000")


def outgoing(subject: str | None) -> Outgoing:
    return Outgoing(
        customer_id=1, email="jedi@example.test", display_name="Jedi", message_id="<m@x>",
        content="Dear Jedi,\n\nHello.", subject=subject, focus="Dosage",
        prompt_version="email/v2", campaign_name="Spring",
    )  # fmt: skip


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

    def test_the_stored_subject_is_the_messages_subject(self):
        message = build_message(outgoing(subject="Your questions about Dosage"), SENDER, "t")
        assert message["Subject"] == "Your questions about Dosage"

    def test_an_item_stored_without_a_subject_gets_the_derived_one(self):
        assert build_message(outgoing(subject=None), SENDER, "t")["Subject"] == "About Dosage"

    def test_a_stored_subject_breaking_a_header_rule_is_replaced_by_the_derived_one(self):
        message = build_message(outgoing(subject="Hi\r\nBcc: x@example.test"), SENDER, "t")
        assert message["Subject"] == "About Dosage"

    def test_message_ids_use_the_from_domain(self):
        assert domain_of("Team <team@example.test>") == "example.test"


def sent_bytes(message) -> bytes:
    """Flatten as smtplib.send_message does: the message's own policy, CRLF line ends."""
    buffer = io.BytesIO()
    BytesGenerator(buffer).flatten(copy.copy(message), linesep="\r\n")
    return buffer.getvalue()


# A token as long as a real one: the List-Unsubscribe line is then over 78 characters.
TOKEN = "12.345." + "0123456789abcdef" * 2
LONG_LINE = "x" * 2000  # one body line far over SMTP's 998


class TestMessagesAsSent:
    @pytest.mark.parametrize(
        ("from_address", "display_name", "subject"),
        [
            ("Team <team@example.test>", "Jedi Baker", "Your questions about Dosage"),
            ("Team <team@example.test>", "Baker, Jedi (Dr.)", "About Dosage"),
            ("Team <team@example.test>", "Zoë Ångström-Łukasiewicz", "About Dosage"),
            ("Team <team@example.test>", None, "Ihre Fragen zu Produkt Ä – Übersicht"),
            ('"Équipe clients" <team@example.test>', "Jedi", "About Dosage"),
            ("Team <team@example.test>", "é" * 200, "ä" * 78),
        ],
    )
    def test_every_header_and_the_body_read_back_as_built(
        self, from_address, display_name, subject
    ):
        sender = Sender(from_address, "replies@example.test", "http://insights.test")
        item = replace(outgoing(subject), display_name=display_name,
                       content=f"Dear Jedi,\n\nGrüße.\n{LONG_LINE}")  # fmt: skip
        raw = sent_bytes(build_message(item, sender, TOKEN))
        lines = raw.split(b"\r\n")
        assert all(b"\n" not in line and b"\r" not in line for line in lines)  # CRLF only
        assert max(len(line) for line in lines) <= 998
        header_block = raw.split(b"\r\n\r\n", 1)[0]
        assert header_block.isascii()  # non-ASCII only as RFC 2047 encoded words
        parsed = message_from_bytes(raw, policy=policy.default)
        link = f"http://insights.test/api/v1/unsubscribe/{TOKEN}"
        (sent_from,) = parsed["From"].addresses
        assert (sent_from.display_name, sent_from.addr_spec) == parseaddr(from_address)
        assert parsed["Reply-To"].addresses[0].addr_spec == "replies@example.test"
        (to,) = parsed["To"].addresses
        assert to.addr_spec == "jedi@example.test"
        if display_name is not None and len(display_name) > 60:
            # A word too long for one encoded word is split in several; RFC 2047 joins
            # them, Python's address parser puts a space between them.
            assert to.display_name.replace(" ", "") == display_name
        else:
            assert to.display_name == (display_name or "")
        assert parsed["Subject"] == subject
        assert parsed["Message-ID"] == "<m@x>"
        assert parsed["Date"].datetime.tzinfo is not None
        assert parsed["List-Unsubscribe"] == f"<{link}>"
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert parsed["MIME-Version"] == "1.0"
        assert parsed.get_content_type() == "text/plain"
        # On the wire every line ends in CRLF; a mail store reads them as line ends.
        assert parsed.get_content().replace("\r\n", "\n") == (
            f"Dear Jedi,\n\nGrüße.\n{LONG_LINE}\n\n--\nTo receive no more emails from us, "
            f"open {link}\n"
        )
        assert not parsed.defects and not any(parsed[name].defects for name in parsed)
