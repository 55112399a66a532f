"""Generate deterministic, realistically messy data shaped like the business's Excel export."""

import datetime as dt
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import xlsxwriter

SHEET_NAMES: Final = {
    "customers": "Customers",
    "interactions": "External interactions",
    "products": "Products of discussion",
}
CSV_NAMES: Final = {
    "customers": "customers.csv",
    "interactions": "interactions.csv",
    "products": "products.csv",
}
HEADERS: Final = {
    "customers": ["Customer Id", "Occupation", "Type"],
    "interactions": ["Date Start", "Interaction", "Customers", "Topic", "Sentiment"],
    "products": ["Date", "Product"],
}
BRIEF_EXAMPLES: Final = {
    "customers": (
        ("1", "Jedi", "Red"),
        ("2", "Batman", "Orange"),
        ("3", "Santa Claus", "Blue"),
        ("4", "Mover", "Orange"),
    ),
    "interactions": (
        ("04/10/2019 09:00", "Email", "1", "Drug Interaction Concerns", "Negative"),
        ("11/02/2020 16:10", "Call", "4", "Side Effects Discussion", "Positive"),
        ("05/03/2020 11:23", "Bird", "4", "Drug Efficacy", "Positive"),
        ("11/02/2020 16:24", "Call", "5", "Prescription Guidelines", "Positive"),
    ),
    "products": (
        ("01-2019", "Sand"),
        ("02-2019", "Sand"),
        ("03-2019", "Sand"),
        ("04-2019", "Sand"),
    ),
}

FIRST_DAY: Final = dt.date(2019, 1, 1)
LAST_DAY: Final = dt.date(2024, 12, 31)
# A fixed creation stamp is what keeps two generated workbooks byte-identical.
WORKBOOK_CREATED: Final = dt.datetime(2025, 1, 1)
XLSX_MAX_ROWS: Final = 1_048_576

# Relative weights: the business is mostly pharmacists and doctors, with a few odd regulars.
OCCUPATIONS: Final = {
    "Pharmacist": 18, "General Practitioner": 16, "Nurse": 13, "Hospital Buyer": 9,
    "Oncologist": 7, "Cardiologist": 7, "Mover": 6, "Jedi": 5, "Santa Claus": 4,
    "Batman": 4, "Wizard": 4, "Astronaut": 3, "Veterinarian": 3, "Dentist": 2,
}  # fmt: skip
TYPES: Final = {"Red": 5, "Orange": 3, "Blue": 2}
CHANNELS: Final = {"Email": 38, "Call": 26, "Chatbot": 14, "Post": 9, "Bird": 8, "Boat": 5}
TOPICS: Final = {
    "Product Inquiry": 18, "Drug Efficacy": 15, "Side Effects Discussion": 13,
    "Dosage Recommendations": 11, "Prescription Guidelines": 10, "Drug Interaction Concerns": 9,
    "Pricing And Reimbursement": 8, "Clinical Trial Results": 6, "Patient Support Programs": 6,
    "Regulatory Compliance": 4,
}  # fmt: skip
SENTIMENTS: Final = {"Positive": 45, "Neutral": 35, "Negative": 20}
# Harm and money draw complaints: these topics are this many times likelier to be Negative.
NEGATIVE_TOPICS: Final = ("Side Effects Discussion", "Drug Interaction Concerns")
NEGATIVE_TILT: Final = 2.5
# Contacts happen in office hours, rarely at night or at weekends.
HOUR_WEIGHTS: Final = (
    1,
    1,
    1,
    1,
    1,
    2,
    4,
    10,
    30,
    45,
    45,
    40,
    25,
    35,
    45,
    45,
    40,
    25,
    10,
    6,
    4,
    3,
    2,
    1,
)
WEEKEND_WEIGHT: Final = 0.15
# Lognormal spread of customer activity: a few customers dominate the interaction count.
ACTIVITY_SIGMA: Final = 1.4
# Deleted accounts leave holes in the id sequence.
ID_GAP_RATE: Final = 0.02
PRODUCTS: Final = (
    "Sand", "Glass", "Silicon", "Quartz", "Clay", "Gravel",
    "Marble", "Granite", "Limestone", "Basalt", "Feldspar", "Obsidian",
)  # fmt: skip
PRODUCT_CHANGE_RATE: Final = 0.3

BOM: Final = "\ufeff"
CHANNEL_SYNONYMS: Final = ("e-mail", "E-mail", "phone", "telephone", "letter", "chat bot")
JUNK_IDS: Final = ("12in", "abc", "N/A", "#REF!", "?")
JUNK_DATES: Final = ("yesterday", "TBD", "n/a", "#VALUE!", "last week")
IMPOSSIBLE_DAYS: Final = ("31/02", "30/02", "31/04", "31/06", "31/09", "13/13", "00/05", "32/01")

# Share of generated cells given each defect kind; small data sets still get one of each.
CUSTOMER_ID_DEFECT_RATES: Final = {
    "whitespace": 0.02, "decimal": 0.01, "junk_id": 0.004,
    "empty": 0.004, "zero": 0.002, "negative": 0.002,
}  # fmt: skip
INTERACTION_ID_DEFECT_RATES: Final = {**CUSTOMER_ID_DEFECT_RATES, "unknown": 0.01}
DATE_DEFECT_RATES: Final = {
    "iso": 0.01, "iso_t": 0.005, "short": 0.01, "seconds": 0.01,
    "impossible": 0.003, "junk_date": 0.003, "empty": 0.005,
}  # fmt: skip
TEXT_DEFECT_RATES: Final = {"case": 0.02, "whitespace": 0.02, "bom": 0.003, "empty": 0.005}
CHANNEL_DEFECT_RATES: Final = {**TEXT_DEFECT_RATES, "synonym": 0.02}
TOPIC_DEFECT_RATES: Final = {**TEXT_DEFECT_RATES, "inner_space": 0.01}
OCCUPATION_DEFECT_RATES: Final = {**TEXT_DEFECT_RATES, "inner_space": 0.01}
TYPE_DEFECT_RATES: Final = TEXT_DEFECT_RATES
SENTIMENT_DEFECT_RATES: Final = {**TEXT_DEFECT_RATES, "mixed": 0.01}
DUPLICATE_INTERACTION_RATE: Final = 0.01
CUSTOMER_DUPLICATE_RATES: Final = {"identical": 0.01, "conflicting": 0.005}
# Per month of the product sheet (72 months, so 0.03 means two rows).
PRODUCT_DEFECT_RATES: Final = {
    "short_month": 0.03, "iso_month": 0.03, "empty": 0.02, "missing": 0.03,
    "identical": 0.02, "conflicting": 0.02, "invalid_month": 0.02,
}  # fmt: skip

Defect = Callable[[np.random.Generator, np.ndarray], np.ndarray]
_STRING = np.dtypes.StringDType()


def generate_dataset(
    customers: int, interactions: int, seed: int, *, include_brief_examples: bool = False
) -> dict[str, pd.DataFrame]:
    """Generate the three source sheets as frames of strings, defects included.

    Row counts are exact: ``customers`` rows include repeated customers, ``interactions``
    rows include defective and duplicate rows, and both include the brief's examples.
    """
    least = len(BRIEF_EXAMPLES["customers"]) if include_brief_examples else 0
    if min(customers, interactions) < least:
        raise ValueError(f"customers and interactions must be at least {least}")
    if customers < 1 and interactions > 0:
        raise ValueError("interactions need at least one customer")
    rng = np.random.default_rng(seed)
    customer_frame, customer_ids = _customers(rng, customers, include_brief_examples)
    return {
        "customers": customer_frame,
        "interactions": _interactions(rng, interactions, customer_ids, include_brief_examples),
        "products": _products(rng, include_brief_examples),
    }


def write_dataset(dataset: dict[str, pd.DataFrame], out: Path, fmt: str) -> list[Path]:
    """Write the sheets as one xlsx workbook at ``out`` or as CSV files in folder ``out``."""
    if fmt == "csv":
        return _write_csv(dataset, Path(out))
    if fmt == "xlsx":
        return _write_xlsx(dataset, Path(out))
    raise ValueError(f"unknown format {fmt!r}: expected 'xlsx' or 'csv'")


def _write_csv(dataset: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write one UTF-8 CSV per sheet with fixed line endings."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / CSV_NAMES[key] for key in CSV_NAMES]
    for key, path in zip(CSV_NAMES, paths, strict=True):
        dataset[key].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return paths


def _write_xlsx(dataset: dict[str, pd.DataFrame], path: Path) -> list[Path]:
    """Write one workbook with a sheet per frame, every cell a text cell."""
    too_long = [key for key in SHEET_NAMES if len(dataset[key]) >= XLSX_MAX_ROWS]
    if too_long:
        raise ValueError(f"too many rows for one xlsx sheet: {', '.join(too_long)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # "17" must stay text and "=..." must not turn into a formula, as in the real export.
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        book.set_properties({"created": WORKBOOK_CREATED})
        for key, name in SHEET_NAMES.items():
            sheet, frame = book.add_worksheet(name), dataset[key]
            sheet.write_row(0, 0, list(frame.columns))
            for col, header in enumerate(frame.columns):
                sheet.write_column(1, col, frame[header].tolist())
    return [path]


def _customers(
    rng: np.random.Generator, count: int, include_brief: bool
) -> tuple[pd.DataFrame, np.ndarray]:
    """Generate the customer sheet and the distinct ids interactions may refer to."""
    brief = _brief_block("customers", include_brief)
    generated = count - len(brief)
    repeats = _defect_counts(max(generated - 1, 0), CUSTOMER_DUPLICATE_RATES)
    # With the brief's rows, start at 6: the brief's interactions refer to an absent customer 5.
    unique = generated - sum(repeats.values())
    fresh = _customer_ids(rng, unique, first=6 if include_brief else 1)
    ids = np.concatenate([brief[:, 0].astype(np.int64), fresh])
    codes = [
        np.concatenate([_codes(brief[:, col], weights), _draw(rng, weights, unique)])
        for col, weights in ((1, OCCUPATIONS), (2, TYPES))
    ]
    columns = [_format_ids(ids), _labels(OCCUPATIONS)[codes[0]], _labels(TYPES)[codes[1]]]
    eligible = np.arange(len(brief), len(ids))
    rates = (CUSTOMER_ID_DEFECT_RATES, OCCUPATION_DEFECT_RATES, TYPE_DEFECT_RATES)
    for column, column_rates in zip(columns, rates, strict=True):
        _corrupt(rng, column, eligible, column_rates, _defects(0))
    # Repeat rows whose id survived, so that a repeat is recognisably the same customer.
    survived = eligible[(columns[0] == _format_ids(ids))[eligible]]
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
        extra[col][rows] = _labels(weights)[(codes[col - 1][picked[rows]] + shift) % len(weights)]
    return extra


def _interactions(
    rng: np.random.Generator, count: int, customer_ids: np.ndarray, include_brief: bool
) -> pd.DataFrame:
    """Generate the interaction sheet: skewed activity, uneven channels and topics, defects."""
    brief = _brief_block("interactions", include_brief)
    generated = count - len(brief)
    topics = _draw(rng, TOPICS, generated)
    clean = [
        _clean_dates(rng, generated),
        _labels(CHANNELS)[_draw(rng, CHANNELS, generated)],
        _format_ids(_draw_customers(rng, customer_ids, generated)),
        _labels(TOPICS)[topics],
        _labels(SENTIMENTS)[_draw_sentiments(rng, topics)],
    ]
    columns = [np.concatenate([brief[:, j], column]) for j, column in enumerate(clean)]
    eligible = np.arange(len(brief), count)
    pairs = _defect_counts(len(eligible) // 2, {"duplicate": DUPLICATE_INTERACTION_RATE})
    rows = rng.choice(eligible, size=2 * pairs["duplicate"], replace=False).reshape(2, -1)
    # Rows about to be overwritten by copies get no defect of their own: it would be lost.
    corruptible = np.setdiff1d(eligible, rows[1])
    defects = _defects(int(customer_ids.max(initial=0)))
    rates = (
        DATE_DEFECT_RATES,
        CHANNEL_DEFECT_RATES,
        INTERACTION_ID_DEFECT_RATES,
        TOPIC_DEFECT_RATES,
        SENTIMENT_DEFECT_RATES,
    )
    for column, column_rates in zip(columns, rates, strict=True):
        _corrupt(rng, column, corruptible, column_rates, defects)
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
    return day_text[day] + " " + _two_digits()[hour] + ":" + _two_digits()[minute]


def _products(rng: np.random.Generator, include_brief: bool) -> pd.DataFrame:
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
    counts = _defect_counts(len(rows) - first, PRODUCT_DEFECT_RATES)
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


def _defect_counts(rows: int, rates: Mapping[str, float]) -> dict[str, int]:
    """Count rows per defect kind: the rounded rate, at least one while rows last."""
    counts, left = {}, rows
    for kind, rate in rates.items():
        counts[kind] = min(left, max(1, round(rows * rate)))
        left -= counts[kind]
    return counts


def _corrupt(
    rng: np.random.Generator,
    column: np.ndarray,
    eligible: np.ndarray,
    rates: Mapping[str, float],
    defects: Mapping[str, Defect],
) -> None:
    """Give disjoint random eligible cells of a column one defect kind each, in place."""
    counts = _defect_counts(len(eligible), rates)
    rows = rng.choice(eligible, size=sum(counts.values()), replace=False)
    start = 0
    for kind, count in counts.items():
        picked = rows[start : start + count]
        column[picked] = defects[kind](rng, column[picked])
        start += count


def _defects(max_id: int) -> dict[str, Defect]:
    """Map each defect kind to the function that damages clean cells that way."""
    return {
        "whitespace": _pad,
        "bom": partial(_affix, BOM, ""),
        "empty": partial(_replace, ("",)),
        "case": _recase,
        "inner_space": _double_inner_space,
        "synonym": partial(_replace, CHANNEL_SYNONYMS),
        "mixed": partial(_replace, ("Mixed",)),
        "decimal": partial(_affix, "", ".0"),
        "junk_id": partial(_replace, JUNK_IDS),
        "zero": partial(_replace, ("0",)),
        "negative": partial(_affix, "-", ""),
        "unknown": lambda rng, values: _format_ids(max_id + rng.integers(1, 100, len(values))),
        **_date_defects(),
    }


def _date_defects() -> dict[str, Defect]:
    """Map each date defect kind to a rewrite of clean "dd/mm/yyyy HH:MM" cells."""

    def parts(values: np.ndarray) -> list[np.ndarray]:
        text = values.astype(_STRING)
        spans = ((0, 2), (3, 5), (6, 10), (11, 13), (14, 16))
        return [np.strings.slice(text, a, b).astype(object) for a, b in spans]

    def unpad(part: np.ndarray) -> np.ndarray:
        return part.astype(int).astype(str).astype(object)

    def iso(rng: np.random.Generator, values: np.ndarray, sep: str = " ") -> np.ndarray:
        d, m, y, hh, mm = parts(values)
        seconds = ":" + _two_digits()[rng.integers(0, 60, len(values))] if sep == "T" else ""
        return y + "-" + m + "-" + d + sep + hh + ":" + mm + seconds

    def short(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
        d, m, y, hh, mm = parts(values)
        return unpad(d) + "/" + unpad(m) + "/" + y + " " + unpad(hh) + ":" + mm

    return {
        "iso": iso,
        "iso_t": partial(iso, sep="T"),
        "short": short,
        "seconds": lambda rng, v: v + ":" + _two_digits()[rng.integers(0, 60, len(v))],
        "impossible": lambda rng, v: _replace(IMPOSSIBLE_DAYS, rng, v) + _tail(v, 5),
        "junk_date": partial(_replace, JUNK_DATES),
    }


def _tail(values: np.ndarray, start: int) -> np.ndarray:
    """Return each string from position ``start`` on."""
    return np.strings.slice(values.astype(_STRING), start, None).astype(object)


def _pad(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Surround values with stray spaces before, after or both."""
    pick = _cycle(rng, 3, len(values))
    before, after = np.array([" ", "", " "], dtype=object), np.array(["", "  ", " "], dtype=object)
    return before[pick] + values + after[pick]


def _affix(prefix: str, suffix: str, rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Put ``prefix`` before and ``suffix`` after every value."""
    return prefix + values + suffix


def _replace(choices: tuple[str, ...], rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Replace every value by a random one of ``choices``."""
    return np.array(choices, dtype=object)[rng.integers(0, len(choices), len(values))]


def _recase(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Return lower-, upper- or sentence-case variants, each differing from the value."""
    text = values.astype(_STRING)
    lower, upper = np.strings.lower(text), np.strings.upper(text)
    sentence = np.strings.capitalize(text)
    # Single words are already in sentence case, so they fall back to lower case.
    sentence = np.where(sentence == text, lower, sentence)
    pick = _cycle(rng, 3, len(values))
    return np.where(pick == 0, lower, np.where(pick == 1, upper, sentence)).astype(object)


def _double_inner_space(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Double the first inner space of each value."""
    return np.strings.replace(values.astype(_STRING), " ", "  ", 1).astype(object)


def _cycle(rng: np.random.Generator, variants: int, count: int) -> np.ndarray:
    """Number ``count`` rows by variant in turn from a random start, so that each shows up."""
    return (rng.integers(0, variants) + np.arange(count)) % variants


def _draw(rng: np.random.Generator, weights: Mapping[str, float], count: int) -> np.ndarray:
    """Draw ``count`` label codes with the given relative weights."""
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(len(p), size=count, p=p / p.sum())


def _labels(weights: Mapping[str, float]) -> np.ndarray:
    """Return the labels of a weights mapping as an object array indexable by code."""
    return np.array(list(weights), dtype=object)


def _codes(labels: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """Return the code of each label in a weights mapping."""
    return np.array([list(weights).index(label) for label in labels], dtype=np.int64)


def _format_ids(ids: np.ndarray) -> np.ndarray:
    """Format integer ids as plain decimal strings."""
    return ids.astype(str).astype(object)


def _two_digits() -> np.ndarray:
    """Return "00" to "59" as an object array indexable by number."""
    return np.array([f"{n:02d}" for n in range(60)], dtype=object)


def _brief_block(key: str, include: bool) -> np.ndarray:
    """Return the brief's example rows for a sheet as a 2-D object array, maybe empty."""
    rows = BRIEF_EXAMPLES[key] if include else ()
    return np.array(rows, dtype=object).reshape(len(rows), len(HEADERS[key]))
