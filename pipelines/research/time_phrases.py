"""Read the periods a question names: years, quarters, months, dates, ranges, recent windows.

"in the last N months" counts back from the latest interaction: the N calendar months up
to and including its month. "the last N weeks/days" are the N*7 or N days ending on its
day; "this year" (month, quarter, week) is the one holding it, "year to date" ends on it.
A bare quarter or month takes the year of the dated one it is paired with ("Q1 vs Q2
2021", "Jan-Mar 2021"). A period after "since"/"after"/"from" opens a range, one after
"before"/"until" closes it, and "between A and B", "from A to B" or "A to B" joins two.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pipelines.content.facts import MONTHS, NUMBER_WORDS


@dataclass(frozen=True)
class Period:
    """A span of days, inclusive; None leaves that end open."""

    date_from: date | None
    date_to: date | None
    label: str
    start: int = 0  # where the question names it
    end: int = 0


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_COUNT = r"\d+|" + "|".join(NUMBER_WORDS)
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": 4,
}
# Between a bare quarter or month and a dated one it shares the year with ("Q1 vs Q2 2021").
_PAIRED = r"(?:-|–|to|through|thru|until|till|and|or|vs\.?|versus)"
_ATOMS = re.compile(
    rf"""
    (?P<iso>\b(?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}})\b)
    |(?P<part>\b(?:the\s+)?(?P<pe>first|last)\s+(?P<pn>{_COUNT})\s+(?P<pu>month|quarter)s?\s+
        (?:of|in)\s+(?P<py>\d{{4}})\b)
    |(?P<recent>\b(?:the\s+)?(?:last|past|previous|recent|latest)\s+(?P<n>{_COUNT})?\s*
        (?P<unit>day|week|month|quarter|year)s?\b)
    |(?P<current>\b(?:this|the\s+current|current)\s+(?P<cu>week|month|quarter|year)\b
        |\b(?P<ytd>year[\s-]+to[\s-]+date|ytd)\b)
    |(?P<bq>\bq(?P<bqa>[1-4])(?=\s*{_PAIRED}\s*q[1-4]\s*(?:of\s+|in\s+|/|-)?\s*
        (?P<bqy>\d{{4}})\b))
    |(?P<bm>\b(?P<bmm>{_MONTH})\.?(?=\s*{_PAIRED}\s*(?:{_MONTH})\.?,?\s+(?:of\s+)?
        (?P<bmy>\d{{4}})\b))
    |(?P<q1>\bq(?P<qa>[1-4])\s*(?:of\s+|in\s+|/|-)?\s*(?P<qya>\d{{4}})\b)
    |(?P<q2>\b(?P<qyb>\d{{4}})\s*[-/ ]?\s*q(?P<qb>[1-4])\b)
    |(?P<q3>\b(?:the\s+)?(?P<qc>first|second|third|fourth|1st|2nd|3rd|4th|last)\s+quarter\s+
        (?:of\s+|in\s+)?(?P<qyc>\d{{4}})\b)
    |(?P<half>\b(?:h(?P<ha>[12])\s*(?P<hya>\d{{4}})|(?:the\s+)?(?P<hb>first|second|1st|2nd)
        \s+half\s+(?:of\s+|in\s+)?(?P<hyb>\d{{4}}))\b)
    |(?P<my>\b(?P<mm>{_MONTH})\.?,?\s+(?:of\s+)?(?P<myy>\d{{4}})\b)
    |(?P<ym>\b(?P<ymy>\d{{4}})-(?P<ymm>\d{{2}})\b)
    |(?P<year>\b(?P<y>(?:19|20)\d{{2}})\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_JOIN = re.compile(r"^\s*(?:and|to|until|till|through|thru|-|–)\s*$", re.I)
# Joins two periods into one range even without "between" or "from" ("Jan-Mar 2021").
_RANGE = re.compile(r"^\s*(?:to|through|thru|-|–)\s*$", re.I)
_OPENS = re.compile(r"\b(?:between|from)\s*$", re.I)
_SINCE = re.compile(r"\b(?:since|after|from|starting)\s*$", re.I)
_BEFORE = re.compile(r"\bbefore\s*$", re.I)
_UNTIL = re.compile(r"\b(?:until|till|through|up\s+to|by)\s*$", re.I)


def _count(text: str | None) -> int:
    if not text:
        return 1
    return int(text) if text.isdigit() else NUMBER_WORDS[text.lower()]


def _recent(match: re.Match[str], latest: date) -> Period:
    n, unit = _count(match.group("n")), match.group("unit").lower()
    if unit in ("day", "week"):
        days = n * (7 if unit == "week" else 1)
        return Period(latest - timedelta(days=days - 1), latest, f"the last {n} {unit}(s)")
    months = n * {"month": 1, "quarter": 3, "year": 12}[unit]
    last = _month_end(latest.year, latest.month)
    return Period(_months_back(latest, months - 1), last, f"the last {months} month(s)")


def _part_of_year(match: re.Match[str]) -> Period:
    """ "the first 3 months of 2022", "the last 2 quarters of 2021"."""
    year, n = int(match.group("py")), _count(match.group("pn"))
    months = min(12, n * (3 if match.group("pu").lower() == "quarter" else 1))
    if not months:
        raise ValueError("no months")
    label = f"the {match.group('pe').lower()} {months} month(s) of {year}"
    if match.group("pe").lower() == "first":
        return Period(date(year, 1, 1), _month_end(year, months), label)
    return Period(date(year, 13 - months, 1), date(year, 12, 31), label)


def _current(match: re.Match[str], latest: date) -> Period:
    """ "this year" (and month, quarter, week) is the one of the latest interaction."""
    unit = (match.group("cu") or "").lower()
    if match.group("ytd"):
        return Period(date(latest.year, 1, 1), latest, f"{latest.year} to date")
    if unit == "week":
        monday = latest - timedelta(days=latest.weekday())
        return Period(monday, monday + timedelta(days=6), f"the week of {monday.isoformat()}")
    if unit == "month":
        label = f"{latest.year}-{latest.month:02d}"
        return Period(
            date(latest.year, latest.month, 1), _month_end(latest.year, latest.month), label
        )
    if unit == "quarter":
        quarter = (latest.month + 2) // 3
        first = date(latest.year, quarter * 3 - 2, 1)
        return Period(first, _month_end(latest.year, quarter * 3), f"Q{quarter} {latest.year}")
    return Period(date(latest.year, 1, 1), date(latest.year, 12, 31), str(latest.year))


def _atom(match: re.Match[str], latest: date) -> Period:
    g = match.groupdict()
    if g["iso"]:
        day = date(int(g["iy"]), int(g["im"]), int(g["id"]))
        return Period(day, day, day.isoformat())
    if g["part"]:
        return _part_of_year(match)
    if g["recent"]:
        return _recent(match, latest)
    if g["current"]:
        return _current(match, latest)
    if g["bm"]:
        year, month = int(g["bmy"]), MONTHS[g["bmm"].lower()]
        return Period(date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")
    if g["bq"] or g["q1"] or g["q2"] or g["q3"]:
        year = int(g["bqy"] or g["qya"] or g["qyb"] or g["qyc"])
        quarter = int(g["bqa"] or g["qa"] or g["qb"] or _ORDINALS[g["qc"].lower()])
        first = date(year, quarter * 3 - 2, 1)
        return Period(first, _month_end(year, quarter * 3), f"Q{quarter} {year}")
    if g["half"]:
        year, half = int(g["ha"] and g["hya"] or g["hyb"]), 1
        if g["ha"] == "2" or (g["hb"] or "").lower() in ("second", "2nd"):
            half = 2
        first = date(year, half * 6 - 5, 1)
        return Period(first, _month_end(year, half * 6), f"H{half} {year}")
    if g["my"] or g["ym"]:
        year = int(g["myy"] or g["ymy"])
        month = MONTHS[g["mm"].lower()] if g["my"] else int(g["ymm"])
        return Period(date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")
    year = int(g["y"])
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


def _atoms(text: str, latest: date) -> list[Period]:
    found = []
    for match in _ATOMS.finditer(text):
        try:
            period = _atom(match, latest)
        except (ValueError, KeyError, OverflowError):  # 2020-13, 2020-02-30, 10**12 days
            continue
        found.append(replace(period, start=match.start(), end=match.end()))
    return found


def _bounded(period: Period, before: str) -> Period:
    """Open the period's range as the word before it says (since, before, until)."""
    if _SINCE.search(before):
        return replace(period, date_to=None, label=f"since {period.label}")
    if _BEFORE.search(before):
        end = period.date_from - timedelta(days=1) if period.date_from else None
        return replace(period, date_from=None, date_to=end, label=f"before {period.label}")
    if _UNTIL.search(before):
        return replace(period, date_from=None, label=f"until {period.label}")
    return period


def find_periods(text: str, latest: date | None) -> list[Period]:
    """Return the periods ``text`` names, in order, ranges joined."""
    atoms = _atoms(text, latest or date.today())
    periods: list[Period] = []
    index = 0
    while index < len(atoms):
        atom, before = atoms[index], text[: atoms[index].start]
        nxt = atoms[index + 1] if index + 1 < len(atoms) else None
        between = text[atom.end : nxt.start] if nxt else ""
        if nxt and (_OPENS.search(before) and _JOIN.match(between) or _RANGE.match(between)):
            label = f"{atom.label} to {nxt.label}"
            periods.append(Period(atom.date_from, nxt.date_to, label, atom.start, nxt.end))
            index += 2
            continue
        periods.append(_bounded(atom, before))
        index += 1
    return periods
