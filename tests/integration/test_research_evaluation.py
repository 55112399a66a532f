"""The research assistant's question set: 64 questions over a generated data set.

Values in the questions are read from the generated data (the most common type, the
second channel, ...), written in varied case and wording; each expected answer is
computed here with pandas over the rows read back from the clean tables, never from the
assistant's own queries. The suite prints its accuracy and requires every question right.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from repository.model import UNKNOWN
from tests.support import client_with_key, make_app

Pairs = list[tuple[str, Any]]
_FILLED = {"channel": UNKNOWN, "topic": UNKNOWN, "sentiment": UNKNOWN}


def year(y: int) -> tuple[date, date]:
    return date(y, 1, 1), date(y, 12, 31)


def quarter(y: int, q: int) -> tuple[date, date]:
    end = date(y + q // 4, q % 4 * 3 + 1, 1) - timedelta(days=1)
    return date(y, q * 3 - 2, 1), end


def month(y: int, m: int) -> tuple[date, date]:
    return date(y, m, 1), date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)


def last_months(facts: pd.DataFrame, n: int) -> tuple[date, date]:
    """The n calendar months up to and including the latest interaction's (docs' definition)."""
    latest = facts["day"].max()
    index = latest.year * 12 + latest.month - 1 - (n - 1)
    return date(index // 12, index % 12 + 1, 1), month(latest.year, latest.month)[1]


def subset(facts: pd.DataFrame, period=None, **filters) -> pd.DataFrame:
    """The interactions in ``period`` whose dimensions hold the given value(s)."""
    frame = facts.fillna(_FILLED)
    if period:
        frame = frame[(frame["day"] >= period[0]) & (frame["day"] <= period[1])]
    for dimension, values in filters.items():
        values = values if isinstance(values, list) else [values]
        frame = frame[frame[dimension].isin(values)]
    return frame


def size(frame: pd.DataFrame, measure: str = "interactions") -> int:
    return len(frame) if measure == "interactions" else frame["customer_id"].nunique()


def counts(frame: pd.DataFrame, dimension: str, measure: str = "interactions") -> dict:
    grouped = frame.groupby(dimension)
    found = grouped.size() if measure == "interactions" else grouped["customer_id"].nunique()
    return {
        (f"customer {k}" if dimension == "customer_id" else k): int(v) for k, v in found.items()
    }


def ranked(frame, dimension, top, ascending=False, measure="interactions") -> Pairs:
    """Values by count (then name), UNKNOWN left out as the assistant leaves it out."""
    found = counts(frame, dimension, measure)
    found.pop(UNKNOWN, None)
    items = sorted(found.items(), key=lambda kv: (kv[1] if ascending else -kv[1], str(kv[0])))
    return items[:top]


def ranked_periods(frame, unit, top, ascending=False) -> Pairs:
    """Periods by interactions (ties: the earlier first), labelled as the trend labels them."""
    found = dict(trend(frame, unit))
    items = sorted(found.items(), key=lambda kv: (kv[1] if ascending else -kv[1], kv[0]))
    return items[:top]


def breakdown(frame, dimension, measure="interactions") -> Pairs:
    items = counts(frame, dimension, measure).items()
    return sorted(items, key=lambda kv: (-kv[1], str(kv[0])))


def compared(pairs: Pairs) -> Pairs:
    return [*pairs, ("difference", pairs[0][1] - pairs[1][1])]


def share(part: pd.DataFrame, whole: pd.DataFrame) -> Pairs:
    return [("share_percent", round(100 * len(part) / len(whole), 1)),
            ("matching", len(part)), ("whole", len(whole))]  # fmt: skip


def shares(frame: pd.DataFrame, dimension: str) -> Pairs:
    total = len(frame)
    items = [(k, round(100 * v / total, 1)) for k, v in breakdown(frame, dimension)]
    return [*items, ("whole", total)]


def trend(frame: pd.DataFrame, unit: str, dimension: str | None = None) -> Pairs:
    label = {
        "month": lambda d: d.strftime("%Y-%m"),
        "quarter": lambda d: f"{d.year}-Q{(d.month + 2) // 3}",
        "year": lambda d: str(d.year),
        "week": lambda d: "{}-W{:02d}".format(*(d - timedelta(d.weekday())).isocalendar()[:2]),
    }[unit]
    periods = frame["day"].map(label)
    keys = [periods, frame[dimension]] if dimension else [periods]
    grouped = frame.groupby(keys).size()
    items = [(" ".join(k) if isinstance(k, tuple) else k, int(v)) for k, v in grouped.items()]
    return sorted(items)


def history(frame: pd.DataFrame) -> Pairs:
    topics = [(f"topic {k}", v) for k, v in breakdown(frame, "topic")]
    channels = [(f"channel {k}", v) for k, v in breakdown(frame, "channel")]
    return [("interactions", len(frame)), *topics, *channels]


def by_frequency(facts: pd.DataFrame, dimension: str) -> list[str]:
    """The data's own values of a dimension, commonest first (UNKNOWN left out)."""
    found = facts[dimension].dropna().value_counts()
    return [value for value in found.index if value != UNKNOWN]


@dataclass(frozen=True)
class Case:
    question: str
    expected: Pairs | None  # None: the assistant must decline (answered false)


def cases(facts: pd.DataFrame) -> list[Case]:
    """Build the question set from the data's vocabulary; expectations in pandas."""
    t1, t2, t3 = by_frequency(facts, "customer_type")[:3]
    c1, c2, c3 = by_frequency(facts, "channel")[:3]
    topic_a, topic_b = by_frequency(facts, "topic")[:2]
    p1, p2 = by_frequency(facts, "product")[:2]
    busiest = facts["customer_id"].value_counts()
    cid, cid2 = int(busiest.index[4]), int(busiest.index[9])
    missing = int(facts["customer_id"].max()) + 1000
    f = facts
    n, s = size, subset
    return [
        # counts
        Case("How many negative email interactions did Red customers have about drug efficacy "
             "in 2020?",
             [("interactions", n(s(f, year(2020), sentiment="Negative", channel="Email",
                                  customer_type="Red", topic="Drug Efficacy")))]),
        Case("How many interactions were there in 2022?", [("interactions", n(s(f, year(2022))))]),
        Case(f"Number of {c1.lower()} interactions in Q1 2021",
             [("interactions", n(s(f, quarter(2021, 1), channel=c1)))]),
        Case(f"how many of {t2.upper()} customers' interactions were positive in March 2020?",
             [("interactions", n(s(f, month(2020, 3), customer_type=t2, sentiment="Positive")))]),
        Case(f"Total interactions about {topic_a.lower()} between 2020-01-01 and 2020-06-30",
             [("interactions", n(s(f, (date(2020, 1, 1), date(2020, 6, 30)), topic=topic_a)))]),
        Case(f"How many {c2.lower()}s did we receive in the last 6 months?",
             [("interactions", n(s(f, last_months(f, 6), channel=c2)))]),
        Case("How many customers had negative interactions in 2021?",
             [("customers", n(s(f, year(2021), sentiment="Negative"), "customers"))]),
        Case(f"How many distinct {t1} customers contacted us by {c1.lower()} in 2022?",
             [("customers", n(s(f, year(2022), customer_type=t1, channel=c1), "customers"))]),
        Case(f"How many interactions did customer {cid} have?",
             [("interactions", n(s(f, customer_id=cid)))]),
        Case(f"Count the {p1} interactions with {t3} customers.",
             [("interactions", n(s(f, product=p1, customer_type=t3)))]),
        Case("How many phone calls were there in the first quarter of 2022?",
             [("interactions", n(s(f, quarter(2022, 1), channel="Call")))]),
        Case(f"How many neutral interactions were about {topic_b} since 2023?",
             [("interactions", n(s(f, (date(2023, 1, 1), date(9999, 1, 1)), sentiment="Neutral",
                                   topic=topic_b)))]),
        Case("How many interactions about drug effficacy in 2021?",  # sic: a typo
             [("interactions", n(s(f, year(2021), topic="Drug Efficacy")))]),
        Case("HOW MANY E-MAILS FROM ORANGE CUSTOMERS IN 2022???",
             [("interactions", n(s(f, year(2022), channel="Email", customer_type="Orange")))]),
        Case(f"How many non-{c1.lower()} interactions were there in 2022?",
             [("interactions", n(s(f, year(2022))[s(f, year(2022))["channel"] != c1]))]),
        Case("How many interactions were neither positive nor negative in 2021?",
             [("interactions", n(s(f, year(2021), sentiment=["Neutral", UNKNOWN])))]),
        # rankings
        Case("Which product was discussed most with Blue customers in Q1 2021?",
             ranked(s(f, quarter(2021, 1), customer_type="Blue"), "product", 1)),
        Case("What are the top 3 topics in 2020?", ranked(s(f, year(2020)), "topic", 3)),
        Case(f"Which channel did {t1} customers use least in 2021?",
             ranked(s(f, year(2021), customer_type=t1), "channel", 1, ascending=True)),
        Case("Top 5 customers by number of interactions in 2022",
             ranked(s(f, year(2022)), "customer_id", 5)),
        Case("Which sentiment was most common for drug efficacy discussions in 2023?",
             ranked(s(f, year(2023), topic="Drug Efficacy"), "sentiment", 1)),
        Case(f"Which customer type had the most {c2.lower()} interactions?",
             ranked(s(f, channel=c2), "customer_type", 1)),
        Case(f"What were the 2 least discussed topics among {t2} customers in 2022?",
             ranked(s(f, year(2022), customer_type=t2), "topic", 2, ascending=True)),
        Case(f"What did customer {cid} discuss most?", ranked(s(f, customer_id=cid), "topic", 1)),
        Case("Which product had the most distinct customers in 2021?",
             ranked(s(f, year(2021)), "product", 1, measure="customers")),
        Case("Most frequent channel in the last 12 months?",
             ranked(s(f, last_months(f, 12)), "channel", 1)),
        Case(f"Which topic came up most often by {c3.lower()}?",
             ranked(s(f, channel=c3), "topic", 1)),
        Case(f"Which channel do {t2} customers prefer?",
             ranked(s(f, customer_type=t2), "channel", 1)),
        Case(f"What is the favourite topic of {t3} customers in 2021?",
             ranked(s(f, year(2021), customer_type=t3), "topic", 1)),
        Case(f"Which type of customer used {c2.lower()} the most in 2022?",
             ranked(s(f, year(2022), channel=c2), "customer_type", 1)),
        # rankings of periods
        Case("Which month had the most interactions in 2021?",
             ranked_periods(s(f, year(2021)), "month", 1)),
        Case(f"What was the busiest quarter for {c1.lower()}?",
             ranked_periods(s(f, channel=c1), "quarter", 1)),
        Case("In which year were there the fewest negative interactions?",
             ranked_periods(s(f, sentiment="Negative"), "year", 1, ascending=True)),
        Case(f"Which 3 weeks of 2022 had the most {topic_b.lower()} interactions?",
             ranked_periods(s(f, year(2022), topic=topic_b), "week", 3)),
        # comparisons
        Case(f"Is {c1.lower()} more common than {c2.lower()} in 2022?",
             compared([(c1, n(s(f, year(2022), channel=c1))),
                       (c2, n(s(f, year(2022), channel=c2)))])),
        Case("Compare email vs call interactions in 2021",
             compared([("Email", n(s(f, year(2021), channel="Email"))),
                       ("Call", n(s(f, year(2021), channel="Call")))])),
        Case(f"{t1} vs {t2} customers: how many negative interactions in 2020?",
             compared([(t1, n(s(f, year(2020), customer_type=t1, sentiment="Negative"))),
                       (t2, n(s(f, year(2020), customer_type=t2, sentiment="Negative")))])),
        Case("Interactions in 2020 versus 2021",
             compared([("2020", n(s(f, year(2020)))), ("2021", n(s(f, year(2021))))])),
        Case(f"Compare Q1 2022 and Q2 2022 for {topic_a.lower()}",
             compared([("Q1 2022", n(s(f, quarter(2022, 1), topic=topic_a))),
                       ("Q2 2022", n(s(f, quarter(2022, 2), topic=topic_a)))])),
        Case(f"Compare customer {cid} and customer {cid2}",
             compared([(f"customer {cid}", n(s(f, customer_id=cid))),
                       (f"customer {cid2}", n(s(f, customer_id=cid2)))])),
        Case(f"How do {p1} and {p2} compare in number of interactions?",
             compared([(p1, n(s(f, product=p1))), (p2, n(s(f, product=p2)))])),
        Case("Were there more positive or negative interactions in 2023?",
             compared([("Positive", n(s(f, year(2023), sentiment="Positive"))),
                       ("Negative", n(s(f, year(2023), sentiment="Negative")))])),
        # trends
        Case("Monthly interactions in 2020", trend(s(f, year(2020)), "month")),
        Case(f"Show the quarterly trend of {topic_b.lower()} for {t3} customers",
             trend(s(f, topic=topic_b, customer_type=t3), "quarter")),
        Case("How many interactions per year?", trend(f, "year")),
        Case("How did the number of interactions change year over year?", trend(f, "year")),
        Case("Interactions by channel per quarter in 2022",
             trend(s(f, year(2022)), "quarter", "channel")),
        Case("How did the number of negative interactions evolve per month between "
             "2021-01-01 and 2021-06-30?",
             trend(s(f, (date(2021, 1, 1), date(2021, 6, 30)), sentiment="Negative"), "month")),
        Case("Weekly email interactions in March 2020",
             trend(s(f, month(2020, 3), channel="Email"), "week")),
        # shares
        Case("What share of Red customers' interactions were negative?",
             share(s(f, customer_type="Red", sentiment="Negative"), s(f, customer_type="Red"))),
        Case(f"What percent of {t1} customers' emails were negative?",
             share(s(f, customer_type=t1, channel="Email", sentiment="Negative"),
                   s(f, customer_type=t1, channel="Email"))),
        Case("What percentage of interactions in 2021 came through email?",
             share(s(f, year(2021), channel="Email"), s(f, year(2021)))),
        Case(f"What proportion of {topic_a.lower()} interactions were with {t1} customers?",
             share(s(f, topic=topic_a, customer_type=t1), s(f, topic=topic_a))),
        Case("What percentage of interactions came through each channel in 2022?",
             shares(s(f, year(2022)), "channel")),
        Case(f"Share of negative sentiment among {c1.lower()} interactions in the last 6 months",
             share(s(f, last_months(f, 6), channel=c1, sentiment="Negative"),
                   s(f, last_months(f, 6), channel=c1))),
        # one customer's history
        Case(f"Show me the history of customer {cid}", history(s(f, customer_id=cid))),
        Case(f"Summarise customer {cid2}'s interactions in 2020",
             history(s(f, year(2020), customer_id=cid2))),
        # breakdowns
        Case("Rank the channels by number of interactions in 2021",
             breakdown(s(f, year(2021)), "channel")),
        Case("Number of interactions per sentiment in 2019",
             breakdown(s(f, year(2019)), "sentiment")),
        Case(f"Break down {t2} customers' interactions by product",
             breakdown(s(f, customer_type=t2), "product")),
        # questions it must decline
        Case("What is the weather in Paris?", None),
        Case("How many interactions about unicorns in 2020?", None),
        Case("Which salesperson closed the most deals?", None),
        Case(f"How many interactions did customer {missing} have?", None),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def research(generated_url):
    app = make_app(generated_url)
    yield client_with_key(app)
    app.extensions["insights"]["repositories"].close()


def outcome(client, case: Case) -> str | None:
    """Return None when the assistant answers ``case`` right, else what went wrong."""
    response = client.post("/api/v1/research", json={"question": case.question})
    if response.status_code != 200:
        return f"status {response.status_code}"
    body = response.get_json()
    if case.expected is None:
        return None if not body["answered"] and not body["figures"] else "answered"
    if not body["answered"]:
        return f"declined: {body['answer']}"
    got = [(figure["label"], figure["value"]) for figure in body["figures"]]
    expected = [(str(label), value) for label, value in case.expected]
    return None if got == expected else f"figures {got[:6]} != expected {expected[:6]}"


def test_the_question_set_is_answered_with_full_accuracy(research, generated_facts):
    questions = cases(generated_facts)
    assert len(questions) >= 40
    wrong = {case.question: problem for case in questions if (problem := outcome(research, case))}
    right = len(questions) - len(wrong)
    print(f"research assistant accuracy: {right}/{len(questions)} ({right / len(questions):.1%})")
    assert not wrong, f"accuracy {right}/{len(questions)}; wrong: {wrong}"


def test_the_expectations_are_not_trivial(generated_facts):
    # Zero everywhere would let a planner that counts nothing pass.
    expected = [case.expected for case in cases(generated_facts) if case.expected]
    nonzero = [pairs for pairs in expected if any(v for _, v in pairs)]
    assert len(nonzero) >= len(expected) - 2
