"""Token counts and cost of generations: counting, summing, pricing, and the price table."""

from datetime import datetime

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableLambda

from api.config import load_config
from pipelines.content.mock.model import GroundedMockChatModel
from pipelines.content.pipeline import ContentPipeline, ContentRequest
from pipelines.content.policy import load_policy
from pipelines.content.prompts import load_prompts
from pipelines.content.providers import ChatProvider
from pipelines.content.usage import NO_CALL, Price, Usage, cost, total, usage_of
from repository.errors import ConfigurationError
from repository.model import Customer, Interaction
from tests.fakes import InMemoryCustomerHistoryRepository, InMemoryGeneratedContentRepository

SENT = [SystemMessage("12345678"), HumanMessage("1234")]  # 8 + 4 characters


class TestCountingOneCall:
    def test_the_mock_is_estimated_at_four_characters_a_token_rounded_up(self):
        used = usage_of(SENT, AIMessage("12345"), estimate=True)
        assert used == Usage(2 + 1, 2, estimated=True)

    def test_a_provider_report_is_taken_as_given(self):
        answer = AIMessage(
            "text", usage_metadata={"input_tokens": 12, "output_tokens": 3, "total_tokens": 15}
        )
        assert usage_of(SENT, answer, estimate=False) == Usage(12, 3)

    def test_no_report_means_unknown_not_zero(self):
        assert usage_of(SENT, AIMessage("text"), estimate=False) == Usage(None, None)


class TestSummingAttempts:
    def test_counts_add_up_and_one_estimate_marks_the_whole(self):
        assert total([Usage(10, 2), Usage(5, 1, estimated=True)]) == Usage(15, 3, True)

    def test_one_unknown_call_makes_the_total_unknown(self):
        assert total([Usage(10, 2), Usage(None, None)]) == Usage(None, None)

    def test_no_call_costs_no_tokens(self):
        assert total([]) == NO_CALL == Usage(0, 0)


PRICES = {"big": Price(input_per_million=2.0, output_per_million=10.0)}


class TestCost:
    def test_tokens_are_priced_per_million(self):
        # 1,000 x 2.0 + 500 x 10.0 = 7,000 per million tokens.
        assert cost(Usage(1000, 500), "big", PRICES) == pytest.approx(0.007)

    @pytest.mark.parametrize(
        ("usage", "model"), [(Usage(1, 1), "small"), (Usage(1, 1), None), (Usage(None, 1), "big")]
    )
    def test_an_unpriced_model_or_unknown_tokens_have_no_cost(self, usage, model):
        assert cost(usage, model, PRICES) is None


class TestPriceTable:
    def test_none_by_default(self):
        assert load_config({})["MODEL_PRICES"] == {}

    def test_read_from_json(self):
        raw = '{"gpt-4o-mini": {"input": 0.15, "output": 0.6}, "free": {"input": 0, "output": 0}}'
        assert load_config({"MODEL_PRICES": raw})["MODEL_PRICES"] == {
            "gpt-4o-mini": {"input": 0.15, "output": 0.6},
            "free": {"input": 0.0, "output": 0.0},
        }

    @pytest.mark.parametrize(
        "raw",
        [
            "{not json",
            "[1, 2]",
            '{"m": {"input": 1}}',
            '{"m": {"input": -1, "output": 1}}',
            '{"m": {"input": "1", "output": 1}}',
            '{"m": {"input": NaN, "output": 1}}',
            '{"m": {"input": true, "output": 1}}',
        ],
    )
    def test_a_bad_table_names_the_variable(self, raw):
        with pytest.raises(ConfigurationError, match="^MODEL_PRICES must be"):
            load_config({"MODEL_PRICES": raw})


CUSTOMER = Customer(1, "Jedi", "Red")
HISTORY = [
    Interaction(11, 1, datetime(2024, 1, 5, 9), "Email", "Drug Efficacy", "Positive", "Sand"),
    Interaction(12, 1, datetime(2024, 2, 7, 10), "Call", "Dosage", "Negative", "Glass"),
]


def pipeline_with(model, *, mock: bool, prices=None) -> ContentPipeline:
    provider = ChatProvider("hosted", "big", mock, model)
    history = InMemoryCustomerHistoryRepository([CUSTOMER], HISTORY)
    config = load_config({})
    return ContentPipeline(
        provider,
        load_prompts(config["PROMPTS_DIR"]),
        history,
        InMemoryGeneratedContentRepository(history),
        prices=prices,
        policy=load_policy(config["POLICY_DIR"]),
    )


def reporting(input_tokens: int, output_tokens: int) -> RunnableLambda:
    """The mock's text, with the usage a hosted provider would report."""
    mock = GroundedMockChatModel()

    def answer(messages):
        text = mock.invoke(messages).text
        usage = {"input_tokens": input_tokens, "output_tokens": output_tokens,
                 "total_tokens": input_tokens + output_tokens}  # fmt: skip
        return AIMessage(text, usage_metadata=usage)

    return RunnableLambda(answer)


class TestStoredWithEachGeneration:
    def test_a_provider_without_usage_still_stores_the_text_with_unknown_tokens(self):
        pipeline = pipeline_with(GroundedMockChatModel(), mock=False, prices=PRICES)
        stored = pipeline.generate(1, ContentRequest())
        assert pipeline.generated.get(stored.content_id).content == stored.content
        assert (stored.input_tokens, stored.output_tokens, stored.cost) == (None, None, None)
        assert stored.tokens_estimated is False

    def test_reported_tokens_are_priced_from_the_table(self):
        stored = pipeline_with(reporting(1000, 500), mock=False, prices=PRICES).summarize(1)
        assert (stored.input_tokens, stored.output_tokens) == (1000, 500)
        assert stored.cost == pytest.approx(0.007)

    def test_the_mock_is_estimated_and_free(self):
        stored = pipeline_with(GroundedMockChatModel(), mock=True).generate(1, ContentRequest())
        assert stored.tokens_estimated is True
        assert stored.input_tokens > 0 and stored.output_tokens > 0
        assert stored.cost == 0.0


class TestSummaryCacheOnFakes:
    def test_a_repeat_is_cached_and_a_changed_history_is_not(self):
        calls = []
        mock = GroundedMockChatModel()
        counted = RunnableLambda(lambda messages: calls.append(1) or mock.invoke(messages))
        pipeline = pipeline_with(counted, mock=True)
        first = pipeline.summarize(1)
        again = pipeline.summarize(1)
        assert (first.cached, again.cached, again.content_id, len(calls)) == (
            False, True, first.content_id, 1,
        )  # fmt: skip
        later = Interaction(13, 1, datetime(2024, 3, 1, 9), "Email", "Dosage", None, "Sand")
        pipeline.history.interactions.append(later)
        assert (pipeline.summarize(1).cached, len(calls)) == (False, 2)
        assert (pipeline.summarize(1, refresh=True).cached, len(calls)) == (False, 3)
