"""Generate the customer, interaction and product sheets, clean first and then corrupted."""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pipelines.ingestion.synthetic.defects import corrupt, defect_counts, defects_by_kind
from pipelines.ingestion.synthetic.draws import (
    brief_block,
    codes_of,
    draw,
    format_ids,
    labels_of,
    two_digits,
)
from pipelines.ingestion.synthetic.vocabulary import (
    ACTIVITY_SIGMA,
    BRIEF_EXAMPLES,
    CHANNEL_DEFECT_RATES,
    CHANNELS,
    CUSTOMER_DUPLICATE_RATES,
    CUSTOMER_ID_DEFECT_RATES,
    DATE_DEFECT_RATES,
    DUPLICATE_INTERACTION_RATE,
    FIRST_DAY,
    HEADERS,
    HOUR_WEIGHTS,
    ID_GAP_RATE,
    INTERACTION_ID_DEFECT_RATES,
    LAST_DAY,
    NEGATIVE_TILT,
    NEGATIVE_TOPICS,
    OCCUPATION_DEFECT_RATES,
    OCCUPATIONS,
    PRODUCT_CHANGE_RATE,
    PRODUCT_DEFECT_RATES,
    PRODUCTS,
    SENTIMENT_DEFECT_RATES,
    SENTIMENTS,
    TOPIC_DEFECT_RATES,
    TOPICS,
    TYPE_DEFECT_RATES,
    TYPES,
    WEEKEND_WEIGHT,
)


def customer_sheet(
    rng: np.random.Generator, count: int, include_brief: bool
) -> tuple[pd.DataFrame, np.ndarray]:
    """Generate the customer sheet and the distinct ids interactions may refer to."""
    brief = brief_block("customers", include_brief)
    generated = count - len(brief)
    repeats = defect_counts(max(generated - 1, 0), CUSTOMER_DUPLICATE_RATES)
    # With the brief's rows, start at 6: the brief's interactions refer to an absent customer 5.
    unique = generated - sum(repeats.values())
    fresh = _customer_ids(rng, unique, first=6 if include_brief else 1)
    ids = np.concatenate([brief[:, 0].astype(np.int64), fresh])
    codes = [
        np.concatenate([codes_of(brief[:, col], weights), draw(rng, weights, unique)])
        for col, weights in ((1, OCCUPATIONS), (2, TYPES))
    ]
    columns = [format_ids(ids), labels_of(OCCUPATIONS)[codes[0]], labels_of(TYPES)[codes[1]]]
    eligible = np.arange(len(brief), len(ids))
    rates = (CUSTOMER_ID_DEFECT_RATES, OCCUPATION_DEFECT_RATES, TYPE_DEFECT_RATES)
    for column, column_rates in zip(columns, rates, strict=True):
        corrupt(rng, column, eligible, column_rates, defects_by_kind(0))
    # Repeat rows whose id survived, so that a repeat is recognisably the same customer.
    survived = eligible[(columns[0] == format_ids(ids))[eligible]]
    extra = _repeat_rows(rng, columns, survived if len(survived) else eligible, repeats, codes)
    places = rng.integers(len(brief), len(ids) + 1, len(extra[0]))
    columns = [np.insert(column, places, rows) for column, rows in zip(columns, extra, strict=True)]
    return pd.DataFrame(dict(zip(HEADERS["customers"], columns, strict=True))), ids


def _customer_ids(rng: np.random.Generator, count: int, first: int) -> np.ndarray:
    """Draw increasing customer ids from ``first`` on, with occasional gaps."""
    steps = np.where(rng.random(count) < ID_GAP_RATE, rng.integers(2, 6, count), 1)
    steps[:1] = 1
    return first - 1 + np.cumsum(steps)


def _repeat_rows(
    rng: np.random.Generator,
    columns: list[np.ndarray],
    sources: np.ndarray,
    repeats: Mapping[str, int],
    codes: list[np.ndarray],
) -> list[np.ndarray]:
    """Copy customer rows; the conflicting copies change the occupation or the type."""
    picked = rng.choice(sources, size=sum(repeats.values()))
    extra = [column[picked] for column in columns]
    conflicts = np.arange(repeats["identical"], len(picked))
    in_type = rng.random(len(conflicts)) < 0.5
    for col, weights, rows in (
        (1, OCCUPATIONS, conflicts[~in_type]),
        (2, TYPES, conflicts[in_type]),
    ):
        # Shifting a code by 1 to n-1 places always lands on another label.
        shift = rng.integers(1, len(weights), len(rows))
        extra[col][rows] = labels_of(weights)[(codes[col - 1][picked[rows]] + shift) % len(weights)]
    return extra


def interaction_sheet(
    rng: np.random.Generator, count: int, customer_ids: np.ndarray, include_brief: bool
) -> pd.DataFrame:
    """Generate the interaction sheet: skewed activity, uneven channels and topics, defects."""
    brief = brief_block("interactions", include_brief)
    generated = count - len(brief)
    topics = draw(rng, TOPICS, generated)
    clean = [
        _clean_dates(rng, generated),
        labels_of(CHANNELS)[draw(rng, CHANNELS, generated)],
        format_ids(_draw_customers(rng, customer_ids, generated)),
        labels_of(TOPICS)[topics],
        labels_of(SENTIMENTS)[_draw_sentiments(rng, topics)],
    ]
    columns = [np.concatenate([brief[:, j], column]) for j, column in enumerate(clean)]
    eligible = np.arange(len(brief), count)
    pairs = defect_counts(len(eligible) // 2, {"duplicate": DUPLICATE_INTERACTION_RATE})
    rows = rng.choice(eligible, size=2 * pairs["duplicate"], replace=False).reshape(2, -1)
    # Rows about to be overwritten by copies get no defect of their own: it would be lost.
    corruptible = np.setdiff1d(eligible, rows[1])
    defects = defects_by_kind(int(customer_ids.max(initial=0)))
    rates = (
        DATE_DEFECT_RATES,
        CHANNEL_DEFECT_RATES,
        INTERACTION_ID_DEFECT_RATES,
        TOPIC_DEFECT_RATES,
        SENTIMENT_DEFECT_RATES,
    )
    for column, column_rates in zip(columns, rates, strict=True):
        corrupt(rng, column, corruptible, column_rates, defects)
    # Copy last, so that duplicates repeat their source's defects too.
    for column in columns:
        column[rows[1]] = column[rows[0]]
    return pd.DataFrame(dict(zip(HEADERS["interactions"], columns, strict=True)))


def _draw_customers(rng: np.random.Generator, ids: np.ndarray, count: int) -> np.ndarray:
    """Draw ``count`` customer ids, each customer with its own lognormal activity level."""
    if count == 0:
        return np.empty(0, dtype=np.int64)
    activity = rng.lognormal(0.0, ACTIVITY_SIGMA, len(ids))
    return ids[rng.choice(len(ids), size=count, p=activity / activity.sum())]


def _draw_sentiments(rng: np.random.Generator, topics: np.ndarray) -> np.ndarray:
    """Draw a sentiment code per topic code, negative-leaning topics tilted to Negative."""
    probabilities = np.tile(np.array(list(SENTIMENTS.values()), dtype=float), (len(TOPICS), 1))
    tilted = np.isin(np.array(list(TOPICS)), NEGATIVE_TOPICS)
    probabilities[tilted, list(SENTIMENTS).index("Negative")] *= NEGATIVE_TILT
    cumulative = (probabilities / probabilities.sum(axis=1, keepdims=True)).cumsum(axis=1)
    codes = (rng.random(len(topics))[:, None] > cumulative[topics]).sum(axis=1)
    return np.minimum(codes, len(SENTIMENTS) - 1)


def _clean_dates(rng: np.random.Generator, count: int) -> np.ndarray:
    """Draw office-hour moments in the fixed date range, formatted "dd/mm/yyyy HH:MM"."""
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    weights = np.where(days.day_of_week < 5, 1.0, WEEKEND_WEIGHT)
    day = rng.choice(len(days), size=count, p=weights / weights.sum())
    hours = np.array(HOUR_WEIGHTS, dtype=float)
    hour = rng.choice(24, size=count, p=hours / hours.sum())
    minute = rng.integers(0, 60, count)
    day_text = np.asarray(days.strftime("%d/%m/%Y"), dtype=object)
    return day_text[day] + " " + two_digits()[hour] + ":" + two_digits()[minute]


def product_sheet(rng: np.random.Generator, include_brief: bool) -> pd.DataFrame:
    """Generate one product per month in runs of a few months, then corrupt the sheet."""
    product, rows = PRODUCTS[0], []
    for month in pd.period_range(FIRST_DAY, LAST_DAY, freq="M"):
        if rng.random() < PRODUCT_CHANGE_RATE:
            shift = int(rng.integers(1, len(PRODUCTS)))
            product = PRODUCTS[(PRODUCTS.index(product) + shift) % len(PRODUCTS)]
        rows.append([f"{month.month:02d}-{month.year}", product])
    brief = BRIEF_EXAMPLES["products"] if include_brief else ()
    rows[: len(brief)] = [list(row) for row in brief]
    picked = _pick_product_defects(rng, rows, len(brief))
    return pd.DataFrame(_corrupt_products(rows, picked), columns=HEADERS["products"])


def _pick_product_defects(
    rng: np.random.Generator, rows: list[list[str]], first: int
) -> dict[str, list[int]]:
    """Pick disjoint rows from ``first`` on for each product defect kind."""
    counts = defect_counts(len(rows) - first, PRODUCT_DEFECT_RATES)
    # Only months 01 to 09 have a zero to lose.
    single = [i for i in range(first, len(rows)) if rows[i][0].startswith("0")]
    short = rng.choice(single, size=min(counts.pop("short_month"), len(single)), replace=False)
    rest = rng.permutation([i for i in range(first, len(rows)) if i not in set(short.tolist())])
    picked, start = {"short_month": short.tolist()}, 0
    for kind, count in counts.items():
        picked[kind], start = rest[start : start + count].tolist(), start + count
    return picked


def _corrupt_products(rows: list[list[str]], picked: Mapping[str, list[int]]) -> list[list[str]]:
    """Reformat, blank, drop and repeat the picked product rows, adding invalid months."""
    extra: dict[int, list[list[str]]] = {i: [] for i in range(len(rows))}
    for i in picked["identical"]:
        extra[i].append(list(rows[i]))
    for i in picked["conflicting"]:
        extra[i].append([rows[i][0], PRODUCTS[(PRODUCTS.index(rows[i][1]) + 1) % len(PRODUCTS)]])
    for i in picked["invalid_month"]:
        extra[i].append([f"13-{rows[i][0][-4:]}", rows[i][1]])
    for i in picked["short_month"]:
        rows[i][0] = rows[i][0][1:]
    for i in picked["iso_month"]:
        rows[i][0] = f"{rows[i][0][-4:]}-{rows[i][0][:2]}"
    for i in picked["empty"]:
        rows[i][1] = ""
    # Copies sit right after their month, as when someone re-enters a row.
    kept = [[row] * (i not in picked["missing"]) + extra[i] for i, row in enumerate(rows)]
    return [row for group in kept for row in group]
