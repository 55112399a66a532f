"""The pipelines' metric helpers: problem sentences sorted into kinds, steps timed and logged."""

import logging

import pytest
from prometheus_client import REGISTRY

from pipelines.content.attempts import _restricted_problem
from pipelines.content.checks import Expectations, check_text
from pipelines.ingestion.report import SheetCounts
from pipelines.ingestion.steps import StepLog
from pipelines.metrics import check_kind
from repository.customer_history import Vocabulary

VOCABULARY = Vocabulary(topics=frozenset({"Dosage", "Efficacy"}), products=frozenset({"Sand"}))
EMAIL = Expectations("email", 7, "Jedi", 5, 12, frozenset({"Dosage"}))
GOOD = "Dear Jedi,\n\nThank you for asking about Dosage with us.\n\nRegards"


def problems(text: str, expected: Expectations = EMAIL) -> list[str]:
    return check_text(text, expected, VOCABULARY)


class TestCheckKinds:
    @pytest.mark.parametrize(
        ("text", "kind"),
        [
            ("", "empty"),
            (GOOD + " and more words" * 5, "length"),
            (GOOD.replace("Jedi", "Batman"), "salutation"),
            (GOOD + " <customer_record>", "data_block"),
            (GOOD.replace("Dosage", "<b>Dosage</b>"), "markup"),
            (GOOD.replace("Dosage", "Efficacy"), "invented_name"),
        ],
    )
    def test_each_sentence_the_checks_write_has_its_kind(self, text, kind):
        found = problems(text)
        assert found, "the text was meant to fail"
        assert check_kind(found[0]) == kind

    def test_past_contact_in_a_first_contact_text_has_its_kind(self):
        first = Expectations("email", 7, "Jedi", 5, 40, frozenset(), first_contact=True)
        found = problems("Dear Jedi,\n\nAs discussed, here is what we offer you today.", first)
        assert [check_kind(problem) for problem in found] == ["past_contact"]

    def test_a_restricted_phrase_has_its_kind(self):
        assert check_kind(_restricted_problem("guaranteed returns")) == "restricted_phrase"

    def test_a_sentence_nobody_wrote_yet_is_other(self):
        assert check_kind("the text rhymes") == "other"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestStepLog:
    def test_steps_before_the_run_id_are_logged_with_it_once_known(self, caplog):
        forwarded = []
        steps = StepLog(forwarded.append)
        before = sample("insights_ingestion_step_seconds_count", step="unit: read")
        with caplog.at_level(logging.INFO, logger="pipelines.ingestion.steps"):
            steps("unit: read")
            steps("unit: clean")
            assert caplog.records == []  # held: the run has no id yet
            steps.bind(41)
            steps.finish("succeeded")
        assert forwarded == ["unit: read", "unit: clean"]
        logged = [(r.event, getattr(r, "step", None), r.run_id) for r in caplog.records]
        assert logged == [
            ("ingestion_step", "unit: read", 41),
            ("ingestion_step", "unit: clean", 41),
            ("ingestion_finished", None, 41),
        ]
        assert sample("insights_ingestion_step_seconds_count", step="unit: read") == before + 1

    def test_a_run_that_never_got_an_id_still_logs_its_lines(self, caplog):
        steps = StepLog()
        with caplog.at_level(logging.INFO, logger="pipelines.ingestion.steps"):
            steps("unit: read")
            steps.finish("unchanged")
        assert [(r.event, r.run_id) for r in caplog.records] == [
            ("ingestion_step", None),
            ("ingestion_finished", None),
        ]

    def test_rule_counts_are_logged_per_sheet_and_reason(self, caplog):
        steps = StepLog()
        steps.bind(5)
        counts = {"customers": SheetCounts(10, 7, 3, {"duplicate_row": 2, "invalid_date": 1})}
        with caplog.at_level(logging.INFO, logger="pipelines.ingestion.steps"):
            steps.counts(counts, {"trim_whitespace": 4})
        rules = {
            (getattr(r, "sheet", None), r.rule): getattr(r, "quarantined_rows", None)
            or r.repaired_cells
            for r in caplog.records
            if r.event == "ingestion_rule"
        }
        assert rules == {
            (None, "trim_whitespace"): 4,
            ("customers", "duplicate_row"): 2,
            ("customers", "invalid_date"): 1,
        }
