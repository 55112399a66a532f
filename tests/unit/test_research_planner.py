"""The planner on a vocabulary unlike the sample's: other products, channels, types, topics.

The data is a small frame built here; expectations are computed from it with pandas.
"""

from datetime import date, datetime

import pandas as pd
import pytest

from pipelines.content.providers import build_chat_provider
from pipelines.research.assistant import ResearchAssistant, load_research_prompt
from pipelines.research.planner import NotAnswerable, plan_question
from pipelines.research.time_phrases import find_periods
from tests.fakes import InMemoryResearchLogRepository, InMemorySemanticRepository
from tests.support import MIGRATIONS_DIR

CHANNELS = ["WhatsApp", "Video Call", "Call", "Email"]
TYPES = ["Gold", "Silver", "Bronze"]
TOPICS = ["Billing Question", "Adverse Event Report", "Refill Request"]
PRODUCTS = {1: "Zentrix", 2: "Zentrix", 3: "Calmora", 4: "Calmora", 5: "Dorvane", 6: "Dorvane"}
SENTIMENTS = ["Positive", "Neutral", "Negative", None]


def _facts() -> pd.DataFrame:
    rows = []
    for i in range(1, 241):
        rows.append({
            "id": i,
            "occurred_at": datetime(2023, 1 + i % 6, 1 + i % 27, 9 + i % 8),
            "customer_id": 100 + i % 9,
            "channel": CHANNELS[(i * 7) % 4] if i % 31 else None,
            "topic": TOPICS[(i * 5) % 3],
            "sentiment": SENTIMENTS[(i * 3) % 4],
            "customer_type": TYPES[(i % 9) % 3],
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    return frame.assign(product=frame["occurred_at"].dt.month.map(PRODUCTS))


FACTS = _facts()


@pytest.fixture
def assistant() -> ResearchAssistant:
    provider = build_chat_provider({"LLM_PROVIDER": "mock", "LLM_MODEL": None})
    prompt = load_research_prompt(MIGRATIONS_DIR.parent / "prompts")
    semantic = InMemorySemanticRepository(FACTS)
    return ResearchAssistant(semantic, InMemoryResearchLogRepository(), provider, prompt)


def figures(answer: dict) -> list[tuple[str, object]]:
    return [(figure["label"], figure["value"]) for figure in answer["figures"]]


def count(**where) -> int:
    frame = FACTS
    for column, value in where.items():
        frame = frame[frame[column] == value]
    return len(frame)


class TestOtherVocabulary:
    def test_a_multi_word_channel_in_the_plural_and_lower_case(self, assistant):
        answer = assistant.ask("how many video calls did gold customers have?")
        assert figures(answer) == [
            ("interactions", count(channel="Video Call", customer_type="Gold"))
        ]

    def test_a_synonym_names_a_channel_the_data_has(self, assistant):
        answer = assistant.ask("How many phone interactions were negative?")
        assert figures(answer) == [("interactions", count(channel="Call", sentiment="Negative"))]

    def test_a_distinctive_part_of_a_topic_names_it(self, assistant):
        expected = [("interactions", count(topic="Refill Request", customer_type="Silver"))]
        for question in ("How many refills did Silver customers ask about?",
                         "How many refill interactions for Silver customers?"):  # fmt: skip
            assert figures(assistant.ask(question)) == expected

    def test_a_misspelt_product_is_read_as_the_close_one(self, assistant):
        answer = assistant.ask("Number of Calmorra interactions")
        assert figures(answer) == [("interactions", count(product="Calmora"))]

    def test_ranking_a_product_by_distinct_customers(self, assistant):
        answer = assistant.ask("Which product reached the most unique customers?")
        per = FACTS.groupby("product")["customer_id"].nunique()
        best = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        assert figures(answer) == [best]

    def test_a_comparison_of_two_types(self, assistant):
        answer = assistant.ask("Gold versus Bronze: adverse event reports?")
        gold = count(customer_type="Gold", topic="Adverse Event Report")
        bronze = count(customer_type="Bronze", topic="Adverse Event Report")
        assert figures(answer) == [
            ("Gold", gold),
            ("Bronze", bronze),
            ("difference", gold - bronze),
        ]

    def test_a_value_the_data_lacks_is_not_guessed(self, assistant):
        answer = assistant.ask("How many Platinum customers wrote by fax?")
        assert answer["answered"] is False and answer["figures"] == []
        assert "platinum" in answer["answer"]

    def test_the_last_months_count_back_from_the_latest_interaction(self, assistant):
        answer = assistant.ask("How many interactions in the last 2 months?")
        latest = FACTS["occurred_at"].max()
        start = datetime(latest.year, latest.month - 1, 1)
        assert figures(answer) == [("interactions", int((FACTS["occurred_at"] >= start).sum()))]

    def test_a_preference_is_read_as_a_ranking(self, assistant):
        per = FACTS[FACTS["customer_type"] == "Silver"].dropna(subset=["channel"])
        best = sorted(per["channel"].value_counts().items(), key=lambda kv: (-kv[1], kv[0]))[0]
        for question in ("Which channel do Silver customers prefer?",
                         "What is the favourite channel of silver customers?"):  # fmt: skip
            assert figures(assistant.ask(question)) == [best]

    def test_more_than_compares_the_two_values(self, assistant):
        answer = assistant.ask("Is WhatsApp more common than Email?")
        whatsapp, email = count(channel="WhatsApp"), count(channel="Email")
        assert figures(answer) == [
            ("WhatsApp", whatsapp),
            ("Email", email),
            ("difference", whatsapp - email),
        ]

    def test_the_busiest_month_is_a_ranking_of_months(self, assistant):
        months = FACTS[FACTS["topic"] == "Refill Request"]["occurred_at"].dt.strftime("%Y-%m")
        ordered = sorted(months.value_counts().items(), key=lambda kv: (-kv[1], kv[0]))
        answer = assistant.ask("Which month had the most refill requests?")
        assert figures(answer) == [ordered[0]]
        busiest = ordered[0][0]
        assert answer["citations"]
        assert all(str(c["date"]).startswith(busiest) for c in answer["citations"])

    def test_the_quietest_periods_are_ranked_upwards_and_the_gap_is_said(self, assistant):
        quarters = (
            FACTS["occurred_at"].dt.year.astype(str)
            + "-Q"
            + (FACTS["occurred_at"].dt.quarter.astype(str))
        )
        ordered = sorted(quarters.value_counts().items(), key=lambda kv: (kv[1], kv[0]))
        answer = assistant.ask("Which 2 quarters had the fewest interactions?")
        assert figures(answer) == ordered[:2]
        assert "without any" in answer["answer"]

    def test_year_over_year_is_a_yearly_trend(self, assistant):
        answer = assistant.ask("How did Gold interactions change year over year?")
        years = FACTS[FACTS["customer_type"] == "Gold"]["occurred_at"].dt.year.value_counts()
        assert figures(answer) == [(str(y), int(n)) for y, n in sorted(years.items())]

    def test_a_plural_possessive_does_not_turn_the_share_into_customers(self, assistant):
        answer = assistant.ask("What percent of Gold customers' emails were negative?")
        part = count(customer_type="Gold", channel="Email", sentiment="Negative")
        whole = count(customer_type="Gold", channel="Email")
        assert figures(answer) == [
            ("share_percent", round(100 * part / whole, 1)),
            ("matching", part),
            ("whole", whole),
        ]

    def test_type_of_customer_is_the_customer_type(self, assistant):
        per = FACTS[FACTS["channel"] == "WhatsApp"]["customer_type"].value_counts()
        best = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        assert figures(assistant.ask("Which type of customer uses WhatsApp most?")) == [best]

    def test_rank_lists_every_value_in_order(self, assistant):
        per = FACTS["topic"].value_counts()
        expected = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))
        assert figures(assistant.ask("Rank the topics by number of interactions")) == expected

    def test_what_was_discussed_lists_the_topics_rather_than_picking_one(self, assistant):
        per = FACTS[FACTS["channel"] == "WhatsApp"]["topic"].value_counts()
        expected = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))
        answer = assistant.ask("What was discussed over WhatsApp?")
        assert len(expected) > 1 and figures(answer) == expected

    def test_people_are_counted_as_customers(self, assistant):
        answer = assistant.ask("How many people contacted us by email?")
        reached = FACTS[FACTS["channel"] == "Email"]["customer_id"].nunique()
        assert figures(answer) == [("customers", reached)]

    @pytest.mark.parametrize(
        "question",
        [
            "How many times did Gold customers call us?",
            "How many Gold interactions over the phone?",
        ],
    )
    def test_times_and_over_are_not_trends(self, assistant, question):
        assert figures(assistant.ask(question)) == [
            ("interactions", count(customer_type="Gold", channel="Call"))
        ]

    @pytest.mark.parametrize(
        "question",
        [
            "How many non-email interactions did Gold customers have?",
            "How many Gold interactions excluding email?",
            "How many Gold interactions other than by email?",
        ],
    )
    def test_a_negated_value_is_left_out(self, assistant, question):
        gold = FACTS[FACTS["customer_type"] == "Gold"]
        assert figures(assistant.ask(question)) == [
            ("interactions", int((gold["channel"] != "Email").sum()))
        ]

    def test_neither_nor_leaves_out_both_values(self, assistant):
        answer = assistant.ask("How many interactions were neither positive nor negative?")
        kept = ~FACTS["sentiment"].isin(["Positive", "Negative"])
        assert figures(answer) == [("interactions", int(kept.sum()))]

    def test_a_negation_word_without_a_value_after_it_is_declined(self, assistant):
        answer = assistant.ask("How many customers did not have any interaction?")
        assert answer["answered"] is False and answer["figures"] == []

    def test_two_customers_compared(self, assistant):
        answer = assistant.ask("Compare customer 101 and customer 104")
        first, second = count(customer_id=101), count(customer_id=104)
        assert figures(answer) == [
            ("customer 101", first),
            ("customer 104", second),
            ("difference", first - second),
        ]

    def test_the_answer_is_logged_with_its_plan(self, assistant):
        answer = assistant.ask("Top 2 topics for WhatsApp")
        (entry,) = assistant.research_log.recent(5)
        assert entry.entry.question == "Top 2 topics for WhatsApp"
        assert entry.entry.plan["kind"] == "ranking"
        assert [c["id"] for c in answer["citations"]] == list(entry.entry.citations)
        assert all(c["channel"] == "WhatsApp" for c in answer["citations"])


class TestPlans:
    def test_one_customers_history_reads_the_rows(self):
        semantic = InMemorySemanticRepository(FACTS)
        plan = plan_question("What did customer 103 discuss most?", semantic.vocabulary(),
                             semantic.customer_exists)  # fmt: skip
        assert not isinstance(plan, NotAnswerable)
        assert plan.kind == "ranking" and plan.target == "topic"
        assert plan.steps[0].query.filters[0].values == ("103",)

    def test_an_unknown_customer_is_declined(self):
        semantic = InMemorySemanticRepository(FACTS)
        plan = plan_question("history of customer 99", semantic.vocabulary(),
                             semantic.customer_exists)  # fmt: skip
        assert isinstance(plan, NotAnswerable) and "99" in plan.reason


class TestTimePhrases:
    @pytest.mark.parametrize(
        ("text", "start", "end"),
        [
            ("in 2021", date(2021, 1, 1), date(2021, 12, 31)),
            ("during Q4 2020", date(2020, 10, 1), date(2020, 12, 31)),
            ("the second quarter of 2022", date(2022, 4, 1), date(2022, 6, 30)),
            ("Feb 2024", date(2024, 2, 1), date(2024, 2, 29)),
            ("between 2020-01-01 and 2020-06-30", date(2020, 1, 1), date(2020, 6, 30)),
            ("from March 2020 to May 2020", date(2020, 3, 1), date(2020, 5, 31)),
            ("in the last 6 months", date(2023, 2, 1), date(2023, 7, 31)),
            ("over the past 2 weeks", date(2023, 7, 5), date(2023, 7, 18)),
            ("since 2022", date(2022, 1, 1), None),
            ("before 2022", None, date(2021, 12, 31)),
            ("H2 2021", date(2021, 7, 1), date(2021, 12, 31)),
            ("in Q3/2021", date(2021, 7, 1), date(2021, 9, 30)),
            ("Jan-Mar 2021", date(2021, 1, 1), date(2021, 3, 31)),
            ("January to March 2021", date(2021, 1, 1), date(2021, 3, 31)),
            ("2020 to 2022", date(2020, 1, 1), date(2022, 12, 31)),
            ("the first 3 months of 2022", date(2022, 1, 1), date(2022, 3, 31)),
            ("the last 2 quarters of 2021", date(2021, 7, 1), date(2021, 12, 31)),
            ("this year", date(2023, 1, 1), date(2023, 12, 31)),
            ("this quarter", date(2023, 7, 1), date(2023, 9, 30)),
            ("this month", date(2023, 7, 1), date(2023, 7, 31)),
            ("year to date", date(2023, 1, 1), date(2023, 7, 18)),
        ],
    )
    def test_a_phrase_becomes_its_days(self, text, start, end):
        (period,) = find_periods(text, date(2023, 7, 18))
        assert (period.date_from, period.date_to) == (start, end)

    def test_two_periods_stay_two(self):
        periods = find_periods("2020 vs 2021", date(2023, 7, 18))
        assert [p.label for p in periods] == ["2020", "2021"]

    @pytest.mark.parametrize(
        ("text", "labels"),
        [
            ("Q1 vs Q2 2021", ["Q1 2021", "Q2 2021"]),
            ("compare January and February 2022", ["2022-01", "2022-02"]),
        ],
    )
    def test_a_bare_quarter_or_month_takes_the_year_it_is_paired_with(self, text, labels):
        assert [p.label for p in find_periods(text, date(2023, 7, 18))] == labels

    def test_a_bare_month_word_alone_is_no_period(self):
        assert find_periods("How many interactions may we count?", date(2023, 7, 18)) == []


class TestOutOfRange:
    @pytest.mark.parametrize(
        "question",
        [
            "How many interactions did customer 99999999999 have?",
            "How many interactions in the last 999999999999 days?",
            "How many interactions in the last 99999999 months?",
        ],
    )
    def test_numbers_beyond_any_data_are_declined_not_errors(self, assistant, question):
        answer = assistant.ask(question)
        assert answer["answered"] is False and answer["figures"] == []
