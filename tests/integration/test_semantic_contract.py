"""The semantic query layer: PostgreSQL and the in-memory fake against counts computed here."""

from datetime import date, timedelta

import pandas as pd
import pytest

from repository.engine import build_engine
from repository.model import UNKNOWN
from repository.semantic import ROLLUP, ROWS, OrderBy, QueryFilter, SemanticQuery
from repository.semantic_postgres import PostgresSemanticRepository
from repository.semantic_sql import build_sql
from tests.fakes import InMemorySemanticRepository
from tests.integration.generated_facts import customer_ids

Y2020 = {"date_from": date(2020, 1, 1), "date_to": date(2020, 12, 31)}
# (name, query, source expected to serve it)
CASES = [
    ("every interaction", SemanticQuery(), ROLLUP),
    ("per product", SemanticQuery(dimensions=("product",)), ROLLUP),
    (
        "per type and channel in 2020",
        SemanticQuery(dimensions=("customer_type", "channel"), **Y2020),
        ROLLUP,
    ),
    (
        "topics per quarter, negative only",
        SemanticQuery(
            dimensions=("topic",),
            granularity="quarter",
            filters=(QueryFilter("sentiment", "equals", ("Negative",)),),
        ),
        ROLLUP,
    ),
    (
        "channels over part of a month",
        SemanticQuery(
            dimensions=("channel",), date_from=date(2020, 1, 15), date_to=date(2020, 3, 10)
        ),
        ROWS,
    ),
    (
        "distinct customers per type",
        SemanticQuery(measures=("customers",), dimensions=("customer_type",)),
        ROWS,
    ),
    (
        "both measures per sentiment and month of 2021",
        SemanticQuery(
            measures=("interactions", "customers"),
            dimensions=("sentiment",),
            granularity="month",
            date_from=date(2021, 1, 1),
            date_to=date(2021, 12, 31),
        ),
        ROWS,
    ),
    (
        "not email, two topics",
        SemanticQuery(
            dimensions=("channel",),
            filters=(
                QueryFilter("channel", "not_equals", ("Email",)),
                QueryFilter("topic", "in", ("Drug Efficacy", "Product Inquiry")),
            ),
        ),
        ROLLUP,
    ),
    (
        "top five customers",
        SemanticQuery(dimensions=("customer",), order=(OrderBy("interactions", "desc"),), limit=5),
        ROWS,
    ),
    (
        "products per week of 2020",
        SemanticQuery(dimensions=("product",), granularity="week", **Y2020),
        ROLLUP,
    ),
    (
        "calls per day in March 2020",
        SemanticQuery(
            granularity="day",
            date_from=date(2020, 3, 1),
            date_to=date(2020, 3, 31),
            filters=(QueryFilter("channel", "equals", ("Call",)),),
        ),
        ROWS,
    ),
    (
        "last three topics by name",
        SemanticQuery(dimensions=("topic",), order=(OrderBy("topic", "desc"),), limit=3),
        ROLLUP,
    ),
    (
        "least discussed product among Red customers",
        SemanticQuery(
            dimensions=("product",),
            filters=(QueryFilter("customer_type", "equals", ("Red",)),),
            order=(OrderBy("interactions", "asc"),),
            limit=1,
        ),
        ROLLUP,
    ),
    (
        "Red, negative, email, drug efficacy per year",
        SemanticQuery(
            granularity="year",
            filters=(
                QueryFilter("customer_type", "equals", ("Red",)),
                QueryFilter("sentiment", "equals", ("Negative",)),
                QueryFilter("channel", "equals", ("Email",)),
                QueryFilter("topic", "equals", ("Drug Efficacy",)),
            ),
        ),
        ROLLUP,
    ),
    (
        "channel and sentiment per quarter of 2021, one product left out",
        SemanticQuery(
            dimensions=("channel", "sentiment"),
            granularity="quarter",
            filters=(QueryFilter("product", "not_equals", ("Sand",)),),
            date_from=date(2021, 1, 1),
            date_to=date(2021, 12, 31),
        ),
        ROLLUP,
    ),
    (
        "unknown or Blue customers per sentiment",
        SemanticQuery(
            dimensions=("customer_type", "sentiment"),
            filters=(QueryFilter("customer_type", "in", (UNKNOWN, "Blue")),),
        ),
        ROLLUP,
    ),
    (
        "nothing in 2031",
        SemanticQuery(date_from=date(2031, 1, 1), date_to=date(2031, 12, 31)),
        ROLLUP,
    ),
    (
        "nothing per channel in 2031",
        SemanticQuery(
            dimensions=("channel",), date_from=date(2031, 1, 1), date_to=date(2031, 1, 9)
        ),
        ROWS,
    ),
]

PERIODS = {
    "day": lambda d: d.isoformat(),
    "week": lambda d: (
        f"{(d - timedelta(d.weekday())).isocalendar()[0]}-W"
        f"{(d - timedelta(d.weekday())).isocalendar()[1]:02d}"
    ),
    "month": lambda d: d.strftime("%Y-%m"),
    "quarter": lambda d: f"{d.year}-Q{(d.month + 2) // 3}",
    "year": lambda d: str(d.year),
}


def expected_rows(facts: pd.DataFrame, query: SemanticQuery) -> list[dict]:
    """Compute the query's rows with plain pandas over the reference facts."""
    frame = facts.fillna({"channel": UNKNOWN, "topic": UNKNOWN, "sentiment": UNKNOWN})
    frame = frame.rename(columns={"customer_id": "customer"}).assign(cid=facts["customer_id"])
    if query.date_from:
        frame = frame[frame["day"] >= query.date_from]
    if query.date_to:
        frame = frame[frame["day"] <= query.date_to]
    for item in query.filters:
        inside = frame[item.dimension].astype(str).isin(item.values)
        frame = frame[~inside if item.op == "not_equals" else inside]
    if query.granularity:
        frame = frame.assign(period=frame["day"].map(PERIODS[query.granularity]))
    keys = list(query.columns()[: len(query.columns()) - len(query.measures)])
    if not keys:
        totals = {"interactions": len(frame), "customers": frame["cid"].nunique()}
        return [{m: totals[m] for m in query.measures}]
    grouped = frame.groupby(keys)
    table = pd.DataFrame({"interactions": grouped.size(), "customers": grouped["cid"].nunique()})
    table = table.reset_index()[list(query.columns())]
    order = [*query.order, *(OrderBy(k) for k in keys if k not in {o.by for o in query.order})]
    table = table.sort_values(
        [o.by for o in order], ascending=[o.direction == "asc" for o in order], kind="stable"
    )
    rows = table.head(query.limit) if query.limit else table
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in rows.to_dict("records")
    ]


@pytest.fixture(params=["memory", "postgres"])
def semantic(request, generated_url, generated_facts):
    if request.param == "memory":
        columns = [
            "id",
            "occurred_at",
            "customer_id",
            "channel",
            "topic",
            "sentiment",
            "product",
            "customer_type",
        ]
        yield InMemorySemanticRepository(generated_facts[columns], customer_ids(generated_url))
        return
    engine = build_engine(generated_url)
    yield PostgresSemanticRepository(engine)
    engine.dispose()


class TestSemanticQueries:
    @pytest.mark.parametrize(("name", "query", "source"), CASES, ids=[c[0] for c in CASES])
    def test_rows_match_pandas_and_the_source_is_the_cheapest_that_answers(
        self, semantic, generated_facts, name, query, source
    ):
        result = semantic.run(query)
        assert result.rows == expected_rows(generated_facts, query)
        assert result.source == source

    def test_the_data_set_is_big_enough_to_tell_cases_apart(self, generated_facts):
        assert len(generated_facts) > 3000
        assert generated_facts["customer_type"].nunique() >= 3


# Which rollup table answers each rollup-served case, and for the pairs, which pair.
PAIRS, MONTHLY = "insights.interaction_monthly_pairs", "insights.interaction_monthly_rollup"
DAILY = "insights.interaction_daily_product_type"
CHOSEN = {
    "every interaction": (DAILY, None),
    "per type and channel in 2020": (PAIRS, "customer_type+channel"),
    "topics per quarter, negative only": (PAIRS, "topic+sentiment"),
    "not email, two topics": (PAIRS, "channel+topic"),
    "last three topics by name": (PAIRS, "customer_type+topic"),
    "least discussed product among Red customers": (DAILY, None),
    "Red, negative, email, drug efficacy per year": (MONTHLY, None),
    "channel and sentiment per quarter of 2021, one product left out": (
        PAIRS,
        "channel+sentiment",
    ),
    "unknown or Blue customers per sentiment": (PAIRS, "customer_type+sentiment"),
}


class TestRollupChoice:
    @pytest.mark.parametrize("name", sorted(CHOSEN))
    def test_the_smallest_rollup_holding_the_query_answers_it(self, name):
        query = next(case[1] for case in CASES if case[0] == name)
        statement, params = build_sql(query, ROLLUP)
        table, pair = CHOSEN[name]
        assert f"FROM {table} " in statement
        assert params.get("pair") == pair

    def test_the_cases_above_cover_every_rollup_table(self):
        assert {table for table, _ in CHOSEN.values()} == {PAIRS, MONTHLY, DAILY}


class TestVocabularyAndExamples:
    def test_the_vocabulary_is_every_value_the_data_holds(self, semantic, generated_facts):
        vocabulary = semantic.vocabulary()
        for name in ("product", "customer_type", "channel", "topic", "sentiment"):
            held = set(generated_facts[name].fillna(UNKNOWN))
            assert set(vocabulary.values[name]) == held, name
        assert vocabulary.first_day == generated_facts["day"].min()
        assert vocabulary.last_day == generated_facts["day"].max()

    def test_examples_are_the_newest_matching_interactions(self, semantic, generated_facts):
        query = SemanticQuery(filters=(QueryFilter("channel", "equals", ("Email",)),), **Y2020)
        found = semantic.examples(query, 10)
        frame = generated_facts[
            (generated_facts["channel"] == "Email")
            & (generated_facts["day"].map(lambda d: d.year) == 2020)
        ]
        newest = frame.sort_values(["occurred_at", "id"], ascending=False).head(10)
        assert [c.id for c in found] == newest["id"].tolist()
        assert all(c.channel == "Email" and c.date.year == 2020 for c in found)

    @pytest.mark.parametrize(
        "where",
        [
            {"customer_type": "Red", "sentiment": "Negative", "channel": "Email",
             "topic": "Drug Efficacy"},
            {"product": "Sand", "sentiment": "Neutral"},
            {"customer_type": "Blue", "channel": "Boat"},
            {"customer_type": UNKNOWN, "sentiment": "Negative"},
        ],
    )  # fmt: skip
    def test_examples_of_rare_combinations_are_still_the_newest(
        self, semantic, generated_facts, where
    ):
        filters = tuple(QueryFilter(d, "equals", (v,)) for d, v in where.items())
        found = semantic.examples(SemanticQuery(filters=filters), 10)
        frame = generated_facts
        for dimension, value in where.items():
            frame = frame[frame[dimension] == value]
        newest = frame.sort_values(["occurred_at", "id"], ascending=False).head(10)
        assert [c.id for c in found] == newest["id"].tolist()
        assert len(found) == min(10, len(frame)) > 0

    @pytest.mark.parametrize(
        ("op", "values"), [("not_equals", ("Red",)), ("in", ("Blue", UNKNOWN)), ("in", ("Orange",))]
    )
    def test_examples_filtered_on_customer_types_are_the_newest(
        self, semantic, generated_facts, op, values
    ):
        filters = (
            QueryFilter("customer_type", op, values),
            QueryFilter("channel", "equals", ("Post",)),
        )
        found = semantic.examples(SemanticQuery(filters=filters), 10)
        inside = generated_facts["customer_type"].isin(values)
        frame = generated_facts[(~inside if op == "not_equals" else inside)]
        frame = frame[frame["channel"] == "Post"]
        newest = frame.sort_values(["occurred_at", "id"], ascending=False).head(10)
        assert [c.id for c in found] == newest["id"].tolist()
        assert len(found) == 10

    def test_a_customer_exists_when_on_the_sheet_or_in_the_interactions(
        self, semantic, generated_url, generated_facts
    ):
        known = customer_ids(generated_url) | set(generated_facts["customer_id"])
        assert all(semantic.customer_exists(c) for c in sorted(known)[:20])
        assert not semantic.customer_exists(max(known) + 1000)
