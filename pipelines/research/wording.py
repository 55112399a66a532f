"""The words a question may use besides the data's values, grouped by what they signal.

All are stemmed as pipelines/research/terms.py stems a question. A question holding a word
that is neither here nor a value of the data is not answered: it may ask for something the
semantic layer cannot count, and the assistant does not guess.
"""

from pipelines.research.terms import stem


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(word) for word in text.split())


SHARE = _stems("share percentage percent proportion fraction ratio pct portion")
TREND_UNITS = {
    "day": _stems("day daily"),
    "week": _stems("week weekly"),
    "month": _stems("month monthly"),
    "quarter": _stems("quarter quarterly"),
    "year": _stems("year yearly annual annually"),
}
# "over" and "time" alone are not trends ("over the phone", "how many times"): "over time" is.
TREND = _stems(
    "trend trending evolution evolve develop developed timeline change changed changing grow "
    "grew growth"
)
PER = _stems("per by each every across")
COMPARE = _stems("vs versus compare compared comparison comparing against difference differ")
# "Is Email more common than Call?" compares even though it also uses a ranking word.
THAN = _stems("than")
RANK_DOWN = _stems(
    "most top highest biggest largest greatest common popular frequent frequently often "
    "leading main busiest prefer preferred preference favourite favorite favoured favored "
    "usual typical dominant dominate prevalent predominant primary"
)
RANK_UP = _stems(
    "least fewest lowest smallest rarest rarely bottom quietest unpopular uncommon rare seldom"
)
COUNT = _stems("how many number count total much amount")
HISTORY = _stems("history summary summarise summarize overview profile record about")
CUSTOMERS_MEASURE = _stems("distinct unique different individual")
# Words for the people the data's customers are; "how many doctors" counts customers.
CUSTOMER_NOUNS = _stems("customer client people person doctor physician prescriber hcp account")
KIND = _stems("type kind group category sort")
# Every value of the dimension, ordered by the measure ("rank the channels").
BREAKDOWN = _stems("breakdown split distribution rank ranking ranked sorted ordered popularity")
# Dimension words, in the order a ranking's target is chosen when several appear.
TARGETS = (
    ("customer_type", _stems("segment colour color")),
    ("product", _stems("product")),
    ("topic", _stems("topic subject theme issue")),
    ("channel", _stems("channel medium")),
    ("sentiment", _stems("sentiment mood tone feeling")),
    ("customer", CUSTOMER_NOUNS),
)
DISCUSS = _stems(
    "discuss discussed discussing talk talked talking say said speak spoke raise raised "
    "mention mentioned"
)
# A value right after one of these is excluded ("non-email", "other than Chatbot"); left
# anywhere else they are unknown words, so the question is declined rather than misread.
NEGATORS = _stems("non not excluding exclude except without besides neither nor other apart aside")
NEGATION_LINKS = _stems("the a an any for than from about by via through over")
BASE_SPLIT = _stems("among within amongst")
PREDICATE = _stems("were was are is came went happened took had used been")

FILLER = _stems(
    "how many much what which who whom whose where when why is are was were be been being "
    "do does did done have has had the a an of in on at for to from by with about and or "
    "than per each every all any there their they them it its this that these those me "
    "please show tell give list find get got i we us our you your can could would will "
    "interaction interacted contact contacted customer client product topic channel sentiment "
    "type kind group category value number count total overall altogether combined "
    "during within through via using over under between since until till before after "
    "period time range so far ever make made receive received come came go went happen "
    "happened take took use used reach reached handled handle recorded logged register "
    "registered occur occurred discuss discussed discussion talk talked raise raised mention "
    "mentioned regarding concerning related relating involving involve as out whole "
    "entire dataset data set record one ones most least top bottom s vs versus "
    "compare compared comparison against difference share percentage percent proportion "
    "fraction ratio trend over evolution month monthly quarter quarterly year yearly annual "
    "week weekly day daily broken down breakdown split history summary summarise summarize "
    "overview profile common popular frequent frequently often highest lowest biggest "
    "largest smallest fewest rarest rarely main leading busiest quietest "
    "greatest distinct unique different individual among amongst segment colour color "
    "subject theme issue medium mood tone feeling did do many were only just also "
    "more fewer less up break give show conversation exchange message touchpoint "
    "engagement communication send sent contact way who ask asked asking write wrote "
    "active engaged customerref periodref"
)
# Every word that signals a kind of question is an ordinary question word as well.
FILLER = FILLER.union(
    SHARE,
    TREND,
    PER,
    COMPARE,
    THAN,
    RANK_DOWN,
    RANK_UP,
    COUNT,
    HISTORY,
    CUSTOMERS_MEASURE,
    CUSTOMER_NOUNS,
    KIND,
    BREAKDOWN,
    DISCUSS,
    BASE_SPLIT,
    PREDICATE,
    *TREND_UNITS.values(),
    *(names for _, names in TARGETS),
)
