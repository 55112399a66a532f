"""In-memory fakes of every repository interface, for fast tests of the layers above.

Each subclasses its interface and is checked by the same contract suite as the
PostgreSQL implementation (tests/integration/test_*_contract.py).
"""

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pandas as pd
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from repository.api_keys import AbstractApiKeyRepository, ApiKey, StoredKey
from repository.consent import (
    OPT_OUT,
    AbstractConsentRepository,
    ConsentChange,
    ConsentEvent,
    ConsentState,
)
from repository.contacts import AbstractContactRepository, Contact, ContactCounts
from repository.customer_history import (
    KEY_TOPIC_COUNT,
    AbstractCustomerHistoryRepository,
    CustomerProfile,
    FlaggedInteraction,
    InteractionPattern,
    InteractionSummary,
    LastInteraction,
    Vocabulary,
)
from repository.customers import AbstractCustomerRepository
from repository.errors import Conflict
from repository.factory import Repositories
from repository.generated_content import (
    AbstractGeneratedContentRepository,
    ContentFilter,
    NewContent,
    StoredContent,
    UsageRow,
    day_bounds,
)
from repository.health import AbstractHealthRepository
from repository.model import UNKNOWN, Customer, Interaction
from repository.research_log import (
    AbstractResearchLogRepository,
    ResearchEntry,
    StoredResearch,
)
from repository.semantic import (
    MAX_LIMIT,
    AbstractSemanticRepository,
    Citation,
    SemanticQuery,
    SemanticVocabulary,
)
from repository.statistics import (
    FILTER_DIMENSIONS,
    AbstractStatisticsRepository,
    InteractionFilter,
)


def every_customer(
    customers: Iterable[Customer], interactions: Iterable[Interaction]
) -> dict[int, Customer]:
    """Return customers by id: those given, plus UNKNOWN ones known only from interactions."""
    found = {customer.customer_id: customer for customer in customers}
    for interaction in interactions:
        found.setdefault(interaction.customer_id, Customer(interaction.customer_id, None, UNKNOWN))
    return dict(sorted(found.items()))


class InMemoryCustomerRepository(AbstractCustomerRepository):
    """Customers and interactions held in Python lists."""

    def __init__(
        self, customers: Iterable[Customer] = (), interactions: Iterable[Interaction] = ()
    ) -> None:
        self.customers = list(customers)
        self.interactions = list(interactions)

    def _stored_customer_types(self) -> set[str]:
        return {customer.customer_type for customer in self.customers}

    def _list_customers(
        self, customer_type: str | None, limit: int, offset: int
    ) -> tuple[list[Customer], int]:
        matching = [
            customer
            for customer in every_customer(self.customers, self.interactions).values()
            if customer_type is None or customer.customer_type == customer_type
        ]
        return matching[offset : offset + limit], len(matching)

    def _get_customer(self, customer_id: int) -> Customer | None:
        return every_customer(self.customers, self.interactions).get(customer_id)


def _by_count_then_recency(names_and_times: list[tuple[str, datetime]]) -> list[str]:
    """Names by how often they occur, ties by latest occurrence, then by name."""
    counts = Counter(name for name, _ in names_and_times)
    latest: dict[str, datetime] = {}
    for name, at in names_and_times:
        latest[name] = max(latest.get(name, at), at)
    ordered = sorted(counts)
    ordered.sort(key=lambda name: (counts[name], latest[name]), reverse=True)
    return ordered


class InMemoryCustomerHistoryRepository(AbstractCustomerHistoryRepository):
    """Customers and their interactions held in Python lists.

    ``products`` names products no interaction mentions (a month nobody was contacted
    in): PostgreSQL lists them in the vocabulary too.
    """

    def __init__(
        self,
        customers: Iterable[Customer] = (),
        interactions: Iterable[Interaction] = (),
        products: Iterable[str] = (),
    ) -> None:
        self.customers = list(customers)
        self.interactions = list(interactions)
        self.products = set(products)

    def _own(self, customer_id: int) -> list[Interaction]:
        own = [item for item in self.interactions if item.customer_id == customer_id]
        return sorted(own, key=lambda item: (item.occurred_at, item.id), reverse=True)

    def _profile(self, customer_id: int) -> CustomerProfile | None:
        customer = every_customer(self.customers, self.interactions).get(customer_id)
        if customer is None:
            return None
        own = self._own(customer_id)
        channels = _by_count_then_recency([(i.channel, i.occurred_at) for i in own if i.channel])
        topics = _by_count_then_recency([(i.topic, i.occurred_at) for i in own if i.topic])
        products = {i.product for i in own if i.product != UNKNOWN}
        latest_use = {p: max(i.occurred_at for i in own if i.product == p) for p in products}
        last = (
            None if not own else LastInteraction(own[0].occurred_at, own[0].channel, own[0].topic)
        )
        summary = InteractionSummary(
            len(own), channels[0] if channels else None, last, tuple(topics[:KEY_TOPIC_COUNT])
        )
        by_recency = sorted(sorted(products), key=lambda p: latest_use[p], reverse=True)
        seen = repr((customer, sorted(own, key=lambda item: item.id)))
        fingerprint = hashlib.md5(seen.encode("utf-8")).hexdigest()
        return CustomerProfile(customer, summary, tuple(by_recency), fingerprint)

    def _newest_first(self, customer_id: int, limit: int, offset: int) -> list[Interaction]:
        return self._own(customer_id)[offset : offset + limit]

    def _page(self, customer_id: int, limit: int, offset: int) -> tuple[list[Interaction], int]:
        return self._newest_first(customer_id, limit, offset), len(self._own(customer_id))

    def _exists(self, customer_id: int) -> bool:
        return customer_id in every_customer(self.customers, self.interactions)

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(
            frozenset(i.topic for i in self.interactions if i.topic),
            frozenset({i.product for i in self.interactions} | self.products) - {UNKNOWN},
            frozenset(i.channel for i in self.interactions if i.channel),
        )

    def _flagged(
        self, customer_id: int, patterns: tuple[InteractionPattern, ...], window_months: int
    ) -> list[FlaggedInteraction]:
        own = self._own(customer_id)
        if not own:
            return []
        since = months_before(own[0].occurred_at, window_months)
        return [
            FlaggedInteraction(item, pattern.name)
            for pattern in patterns
            for item in own
            if item.occurred_at >= since and _matches_pattern(item, pattern)
        ]


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole months, clamped to the month's last day, as PostgreSQL does."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1  # 31 March minus one month is 29 (or 28) February


def _matches_pattern(item: Interaction, pattern: InteractionPattern) -> bool:
    def among(value: str | None, values: tuple[str, ...]) -> bool:
        return not values or (value is not None and value.lower() in {v.lower() for v in values})

    topic = (item.topic or "").lower()
    return (
        (not pattern.topic_contains or any(p.lower() in topic for p in pattern.topic_contains))
        and (not pattern.topic_contains or item.topic is not None)
        and among(item.sentiment, pattern.sentiments)
        and among(item.channel, pattern.channels)
    )


class LeakyCustomerHistoryRepository(InMemoryCustomerHistoryRepository):
    """A broken history that answers with every customer's latest interactions."""

    def recent_interactions(self, customer_id: int, limit: int) -> tuple[Interaction, ...]:
        return tuple(self.interactions[:limit])


class InMemoryGeneratedContentRepository(AbstractGeneratedContentRepository):
    """Generations kept in a dict by id.

    The summary cache needs customers' fingerprints: without ``history`` it never hits.
    """

    def __init__(self, history: InMemoryCustomerHistoryRepository | None = None) -> None:
        self.stored: dict[UUID, StoredContent] = {}
        self.history = history

    def add(self, content: NewContent) -> StoredContent:
        stored = StoredContent(**vars(content), content_id=uuid4(), created_at=datetime.now(UTC))
        self.stored[stored.content_id] = stored
        return stored

    def _get(self, content_id: UUID) -> StoredContent | None:
        return self.stored.get(content_id)

    def _matching(
        self, filters: ContentFilter, limit: int, offset: int
    ) -> tuple[list[StoredContent], int]:
        start, end = day_bounds(filters)
        found = [
            item
            for item in self.stored.values()
            if filters.review_status in (None, item.review_status)
            and filters.customer_id in (None, item.customer_id)
            and filters.content_type in (None, item.content_type)
            and (start is None or item.created_at >= start)
            and (end is None or item.created_at < end)
        ]
        found.sort(key=lambda item: (item.created_at, item.content_id.bytes), reverse=True)
        return found[offset : offset + limit], len(found)

    def cached_summary(
        self, customer_id: int, prompt_version: str | None, provider: str, model: str | None
    ) -> StoredContent | None:
        profile = self.history._profile(customer_id) if self.history is not None else None
        if profile is None:
            return None
        writer = (prompt_version, provider, model)
        matches = [
            item
            for item in self.stored.values()
            if item.customer_id == customer_id
            and item.content_type == "summary"
            and item.review_status != "blocked"
            and item.data_fingerprint == profile.fingerprint
            and (
                item.provider == "none"
                or (item.prompt_version, item.provider, item.model) == writer
            )
        ]
        # Insertion order is creation order: the last match is the newest.
        return replace(matches[-1], cached=True) if matches else None

    def _usage(
        self, since: datetime | None, until: datetime | None, group_by: str
    ) -> list[UsageRow]:
        groups: dict[str | None, list[StoredContent]] = {}
        for item in self.stored.values():
            if (since is None or item.created_at >= since) and (
                until is None or item.created_at < until
            ):
                groups.setdefault(getattr(item, group_by), []).append(item)
        return [
            _usage_row(key, groups[key])
            for key in sorted(groups, key=lambda k: (k is None, k or ""))
        ]


def _usage_row(key: str | None, items: list[StoredContent]) -> UsageRow:
    return UsageRow(
        key=key,
        generations=len(items),
        input_tokens=sum(item.input_tokens or 0 for item in items),
        output_tokens=sum(item.output_tokens or 0 for item in items),
        without_tokens=sum(
            item.input_tokens is None or item.output_tokens is None for item in items
        ),
        tokens_estimated=any(item.tokens_estimated for item in items),
        cost=sum(item.cost or 0.0 for item in items),
        unpriced=sum(item.cost is None for item in items),
    )


@dataclass(frozen=True)
class InteractionFact:
    """One clean interaction with the dimensions statistics group and filter by."""

    occurred_at: datetime
    product: str = UNKNOWN
    customer_type: str = UNKNOWN
    channel: str | None = None
    topic: str | None = None
    sentiment: str | None = None
    customer_id: int = 0


_PERIOD = {
    "month": lambda at: f"{at.year}-{at.month:02d}",
    "quarter": lambda at: f"{at.year}-Q{(at.month - 1) // 3 + 1}",
    "year": lambda at: f"{at.year}",
}


class InMemoryStatisticsRepository(AbstractStatisticsRepository):
    """Statistics over rows held in Python lists."""

    def __init__(
        self, tables: Mapping[str, list] | None = None, facts: Iterable[InteractionFact] = ()
    ) -> None:
        self.tables: dict[str, list] = {name: list(rows) for name, rows in (tables or {}).items()}
        self.facts = list(facts)

    def _count_rows(self, table: str) -> int:
        return len(self.tables.get(table, []))

    def _interaction_counts(
        self, filters: InteractionFilter, group_by: tuple[str, ...], granularity: str | None
    ) -> list[dict[str, Any]]:
        counts: Counter[tuple] = Counter()
        for fact in self._matching(filters):
            period = _PERIOD[granularity](fact.occurred_at) if granularity else None
            keys = tuple(getattr(fact, name) or UNKNOWN for name in group_by)
            counts[(period, *keys)] += 1
        ordered = sorted(counts.items(), key=lambda item: tuple(k or "" for k in item[0]))
        return [
            {"period": key[0], **dict(zip(group_by, key[1:], strict=True)), "interactions": n}
            for key, n in ordered
        ]

    def reach(self, filters: InteractionFilter) -> dict[str, Any]:
        facts = self._matching(filters)
        moments = [fact.occurred_at for fact in facts]
        return {
            "customers": len({fact.customer_id for fact in facts}),
            "first_interaction": min(moments, default=None),
            "last_interaction": max(moments, default=None),
        }

    def _matching(self, filters: InteractionFilter) -> list[InteractionFact]:
        return [fact for fact in self.facts if _matches(fact, filters)]

    def filter_values(self) -> dict[str, set[str]]:
        # Like PostgreSQL's: the facts' customer types, less UNKNOWN (no sheet here).
        return {
            dimension: {
                v for f in self.facts if (v := getattr(f, dimension)) not in (None, UNKNOWN)
            }
            for dimension in FILTER_DIMENSIONS
        }


def _matches(fact: InteractionFact, filters: InteractionFilter) -> bool:
    day = fact.occurred_at.date()
    return (
        (filters.date_from is None or day >= filters.date_from)
        and (filters.date_to is None or day <= filters.date_to)
        and (not filters.channels or (fact.channel or UNKNOWN) in filters.channels)
        and (not filters.sentiments or (fact.sentiment or UNKNOWN) in filters.sentiments)
        and (not filters.topics or (fact.topic or UNKNOWN) in filters.topics)
        and (not filters.customer_types or fact.customer_type in filters.customer_types)
    )


class InMemoryHealthRepository(AbstractHealthRepository):
    """A database that is always up, with a chosen set of applied migrations."""

    def __init__(self, applied: Iterable[str] = ()) -> None:
        self.applied = set(applied)

    def ping(self) -> None:
        return None

    def applied_migration_ids(self) -> set[str]:
        return set(self.applied)


class UnreachableHealthRepository(InMemoryHealthRepository):
    """A database that refuses every connection."""

    def ping(self) -> None:
        raise ConnectionError("connection refused")


class InMemoryApiKeyRepository(AbstractApiKeyRepository):
    """Keys and their audit entries held in Python containers."""

    def __init__(self, pepper: bytes = b"in-memory pepper") -> None:
        super().__init__(pepper)
        self.rows: dict[str, StoredKey] = {}
        self.audit: list[tuple[str, str, str | None]] = []  # (action, name, actor)

    def list_keys(self) -> list[ApiKey]:
        return sorted((row.key for row in self.rows.values()), key=lambda k: k.created_at)

    def _insert(self, name, prefix, secret_hash, scopes, expires_at, actor) -> ApiKey:
        if name in self.rows:
            raise Conflict(f"an API key named {name!r} already exists")
        key = ApiKey(name, prefix, tuple(scopes), datetime.now(UTC), expires_at)
        self.rows[name] = StoredKey(key, secret_hash)
        self.audit.append(("created", name, actor))
        return key

    def _revoke(self, name: str, actor: str | None) -> ApiKey | None:
        row = self.rows.get(name)
        if row is None:
            return None
        key = replace(row.key, revoked_at=row.key.revoked_at or datetime.now(UTC))
        self.rows[name] = replace(row, key=key)
        self.audit.append(("revoked", name, actor))
        return key

    def _find(self, prefix: str) -> StoredKey | None:
        return next((row for row in self.rows.values() if row.key.prefix == prefix), None)

    def _touch(self, prefix: str, now: datetime) -> None:
        row = self._find(prefix)
        if row is not None:
            self.rows[row.key.name] = replace(row, key=replace(row.key, last_used_at=now))


def fake_repositories(applied_migrations: Iterable[str] = ()) -> Repositories:
    """Return empty in-memory repositories: an app on them serves but cannot load data."""
    return Repositories(
        statistics=InMemoryStatisticsRepository(),
        health=InMemoryHealthRepository(applied_migrations),
        customers=InMemoryCustomerRepository(),
        customer_history=InMemoryCustomerHistoryRepository(),
        generated_content=InMemoryGeneratedContentRepository(),
        ingestion=None,
        engine=None,
        api_keys=InMemoryApiKeyRepository(),
        consent=InMemoryConsentRepository(),
        contacts=InMemoryContactRepository(),
        semantic=InMemorySemanticRepository(pd.DataFrame(columns=SEMANTIC_FACT_COLUMNS)),
        research_log=InMemoryResearchLogRepository(),
    )


class InMemoryConsentRepository(AbstractConsentRepository):
    """Consent history and current opt-outs in Python containers."""

    def __init__(self) -> None:
        self.events: list[ConsentEvent] = []
        self.opt_outs: dict[int, ConsentState] = {}

    def state(self, customer_id: int) -> ConsentState:
        return self.opt_outs.get(customer_id, ConsentState(customer_id, opted_out=False))

    def history(self, customer_id: int) -> list[ConsentEvent]:
        return [event for event in reversed(self.events) if event.customer_id == customer_id]

    def _apply(self, changes) -> list[bool]:
        events, opt_outs = list(self.events), dict(self.opt_outs)  # all or nothing
        now = datetime.now(UTC)
        changed = [_apply_consent(change, events, opt_outs, now) for change in changes]
        self.events, self.opt_outs = events, opt_outs
        return changed


def _apply_consent(
    change: ConsentChange, events: list, opt_outs: dict[int, ConsentState], now: datetime
) -> bool:
    cid = change.customer_id
    if (change.action == OPT_OUT) == (cid in opt_outs):
        return False
    if change.action == OPT_OUT:
        opt_outs[cid] = ConsentState(cid, True, change.reason, change.source, now)
    else:
        del opt_outs[cid]
    events.append(ConsentEvent(cid, change.action, change.reason, change.source, change.actor, now))
    return True


class InMemoryContactRepository(AbstractContactRepository):
    """Contact addresses in a dict by customer id."""

    def __init__(self) -> None:
        self.rows: dict[int, Contact] = {}

    def _upsert(self, contacts) -> ContactCounts:
        added = updated = 0
        for contact in contacts:
            old = self.rows.get(contact.customer_id)
            if old is not None and (old.email, old.display_name) == (
                contact.email,
                contact.display_name,
            ):
                continue
            added, updated = (added + 1, updated) if old is None else (added, updated + 1)
            self.rows[contact.customer_id] = replace(contact, updated_at=datetime.now(UTC))
        return ContactCounts(added, updated, len(contacts) - added - updated)

    def _find(self, customer_ids: list[int]) -> list[Contact]:
        return [self.rows[cid] for cid in sorted(customer_ids) if cid in self.rows]


class ScriptedChatModel(BaseChatModel):
    """Answers with the scripted texts in turn (the last repeats) and records each request."""

    texts: list[str]
    requests: list[list[BaseMessage]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.requests.append(list(messages))
        text = self.texts[min(len(self.requests), len(self.texts)) - 1]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])


# --- issue 16: the semantic query layer's fake -------------------------------------------
_SEMANTIC_PERIODS = {
    "day": lambda d: d.isoformat(),
    "week": lambda d: "{}-W{:02d}".format(*(d - timedelta(d.weekday())).isocalendar()[:2]),
    "month": lambda d: f"{d.year}-{d.month:02d}",
    "quarter": lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}",
    "year": lambda d: f"{d.year}",
}


class InMemorySemanticRepository(AbstractSemanticRepository):
    """Semantic queries over a frame of interaction facts (id, occurred_at, customer_id,
    channel, topic, sentiment, product, customer_type), computed with pandas."""

    def __init__(self, facts: pd.DataFrame, customers: Iterable[int] = ()) -> None:
        shown = facts.fillna({name: UNKNOWN for name in ("channel", "topic", "sentiment")})
        self.facts = shown.assign(
            customer=shown["customer_id"], day=pd.to_datetime(shown["occurred_at"]).dt.date
        )
        self.customers = set(customers) | set(self.facts["customer_id"])

    def _matching(self, query: SemanticQuery) -> pd.DataFrame:
        keep = pd.Series(True, index=self.facts.index)
        if query.date_from is not None:
            keep &= self.facts["day"] >= query.date_from
        if query.date_to is not None:
            keep &= self.facts["day"] <= query.date_to
        for item in query.filters:
            values = [int(v) for v in item.values] if item.dimension == "customer" else item.values
            hit = self.facts[item.dimension].isin(list(values))
            keep &= ~hit if item.op == "not_equals" else hit
        return self.facts[keep]

    def _run(self, query: SemanticQuery, source: str) -> list[dict[str, Any]]:
        rows = self._matching(query)
        if query.granularity:
            rows = rows.assign(period=rows["day"].map(_SEMANTIC_PERIODS[query.granularity]))
        keys = [*(["period"] if query.granularity else []), *query.dimensions]
        aggregations = {"interactions": ("id", "size"), "customers": ("customer_id", "nunique")}
        if keys:
            wanted = {name: aggregations[name] for name in query.measures}
            result = rows.groupby(keys, sort=False).agg(**wanted).reset_index().to_dict("records")
        else:  # like SQL's aggregate without GROUP BY: one row, zeros when nothing matches
            totals = {"interactions": len(rows), "customers": rows["customer_id"].nunique()}
            result = [{name: totals[name] for name in query.measures}]
        for item in reversed(query.sort_keys()):
            result.sort(key=lambda row, by=item.by: row[by], reverse=item.direction == "desc")
        result = [{c: _plain(row[c]) for c in query.columns()} for row in result]
        return result[: query.limit or MAX_LIMIT]

    def vocabulary(self, version: int | None = None) -> SemanticVocabulary:
        values = {
            name: tuple(sorted(set(self.facts[name])))
            for name in ("product", "customer_type", "channel", "topic", "sentiment")
        }
        days = self.facts["day"]
        return SemanticVocabulary(
            values, days.min() if len(days) else None, days.max() if len(days) else None
        )

    def customer_exists(self, customer_id: int) -> bool:
        return customer_id in self.customers

    def examples(self, query: SemanticQuery, limit: int) -> list[Citation]:
        rows = self._matching(query).sort_values(["occurred_at", "id"], ascending=False)
        return [
            Citation(int(r.id), r.day, int(r.customer_id), _or_none(r.channel), _or_none(r.topic))
            for r in rows.head(limit).itertuples()
        ]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _or_none(value: str) -> str | None:
    return None if value == UNKNOWN else value


SEMANTIC_FACT_COLUMNS = [
    "id", "occurred_at", "customer_id", "channel", "topic", "sentiment", "product", "customer_type",
]  # fmt: skip


class InMemoryResearchLogRepository(AbstractResearchLogRepository):
    """Research questions kept in a list."""

    def __init__(self) -> None:
        self.entries: list[StoredResearch] = []

    def add(self, entry: ResearchEntry) -> int:
        self.entries.append(StoredResearch(len(self.entries) + 1, datetime.now(UTC), entry))
        return len(self.entries)

    def recent(self, limit: int) -> list[StoredResearch]:
        return self.entries[::-1][:limit]


class ToolScriptedChatModel(BaseChatModel):
    """Answers with scripted messages in turn (tool calls included); implements bind_tools.

    langchain-core's own fake chat models cannot bind tools, so the tool-calling path is
    tested with this one. Each request and the tools it was bound with are recorded.
    """

    replies: list[AIMessage]
    requests: list[list[BaseMessage]] = []
    tools: list[Any] = []

    @property
    def _llm_type(self) -> str:
        return "tool-scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> "ToolScriptedChatModel":
        self.tools.extend(tools)
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.requests.append(list(messages))
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        return ChatResult(generations=[ChatGeneration(message=reply)])
