"""Customers and their interactions: the abstract interface and its PostgreSQL implementation.

A customer exists when it has a row in ``insights.customers`` or at least one interaction:
the cleaning keeps interactions whose customer the export lacks, and counts those
customers as type "Unknown". Both implementations follow that definition.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, text

from repository.errors import InvalidInput, NotFound

UNKNOWN = "Unknown"


@dataclass(frozen=True)
class Customer:
    """One customer; ``customer_type`` is "Unknown" where the export has none."""

    customer_id: int
    occupation: str | None
    customer_type: str


@dataclass(frozen=True)
class Interaction:
    """One interaction of a customer, with its month's product ("Unknown" if none)."""

    id: int
    occurred_at: datetime
    channel: str | None
    topic: str | None
    sentiment: str | None
    product: str


class AbstractCustomerRepository(ABC):
    """Read customers and their interactions, a page at a time."""

    def customer_types(self) -> set[str]:
        """Return every customer type a filter may name, "Unknown" included."""
        return self._stored_customer_types() | {UNKNOWN}

    def list_customers(
        self, customer_type: str | None, page: int, page_size: int
    ) -> tuple[list[Customer], int]:
        """Return one page of customers ordered by id, and how many match in all.

        ``customer_type`` matches case-insensitively; ``None`` means every type.

        Raises:
            InvalidInput: an unknown ``customer_type``, or a page or page size below 1.
        """
        _check_page(page, page_size)
        canonical = None if customer_type is None else self._canonical_type(customer_type)
        return self._list_customers(canonical, page_size, (page - 1) * page_size)

    def get_customer(self, customer_id: int) -> Customer:
        """Return one customer.

        Raises:
            NotFound: no customer row and no interaction has ``customer_id``.
        """
        customer = self._get_customer(customer_id)
        if customer is None:
            raise NotFound(f"customer {customer_id} not found")
        return customer

    def list_interactions(
        self, customer_id: int, page: int, page_size: int
    ) -> tuple[list[Interaction], int]:
        """Return one page of a customer's interactions, newest first, and their total.

        Raises:
            NotFound: the customer does not exist.
            InvalidInput: a page or page size below 1.
        """
        _check_page(page, page_size)
        interactions, total = self._list_interactions(
            customer_id, page_size, (page - 1) * page_size
        )
        # A page past the end is empty too; only then is existence worth a query.
        if not interactions and self._get_customer(customer_id) is None:
            raise NotFound(f"customer {customer_id} not found")
        return interactions, total

    def _canonical_type(self, customer_type: str) -> str:
        known = {name.casefold(): name for name in self.customer_types()}
        try:
            return known[customer_type.strip().casefold()]
        except KeyError:
            expected = ", ".join(sorted(known.values()))
            raise InvalidInput(
                f"unknown customer type {customer_type!r}; expected one of: {expected}",
                field="customer_type",
            ) from None

    @abstractmethod
    def _stored_customer_types(self) -> set[str]:
        """Return the distinct non-empty customer types stored."""

    @abstractmethod
    def _list_customers(
        self, customer_type: str | None, limit: int, offset: int
    ) -> tuple[list[Customer], int]:
        """Return a page of customers of a canonical type (or all), and the total."""

    @abstractmethod
    def _get_customer(self, customer_id: int) -> Customer | None:
        """Return the customer, or None when it does not exist."""

    @abstractmethod
    def _list_interactions(
        self, customer_id: int, limit: int, offset: int
    ) -> tuple[list[Interaction], int]:
        """Return a page of a customer's interactions, newest first, and the total."""


def _check_page(page: int, page_size: int) -> None:
    if page < 1 or page_size < 1:
        raise InvalidInput(f"page ({page}) and page size ({page_size}) must be at least 1")


# Customers with a row, then those known only from their interactions (type Unknown).
_EVERY_CUSTOMER = """
    WITH every_customer AS (
        SELECT customer_id, occupation, COALESCE(customer_type, 'Unknown') AS customer_type
        FROM insights.customers
        UNION ALL
        SELECT DISTINCT i.customer_id, NULL, 'Unknown'
        FROM insights.interactions AS i
        WHERE NOT EXISTS (
            SELECT 1 FROM insights.customers AS c WHERE c.customer_id = i.customer_id
        )
    )
"""
_MATCHES_TYPE = "WHERE CAST(:customer_type AS text) IS NULL OR customer_type = :customer_type"
_COUNT_CUSTOMERS = text(f"{_EVERY_CUSTOMER} SELECT count(*) FROM every_customer {_MATCHES_TYPE}")
_PAGE_OF_CUSTOMERS = text(
    f"{_EVERY_CUSTOMER} SELECT customer_id, occupation, customer_type FROM every_customer "
    f"{_MATCHES_TYPE} ORDER BY customer_id LIMIT :limit OFFSET :offset"
)
_CUSTOMER_TYPES = text(
    "SELECT DISTINCT customer_type FROM insights.customers WHERE customer_type IS NOT NULL"
)
_ONE_CUSTOMER = text(
    "SELECT occupation, COALESCE(customer_type, 'Unknown') FROM insights.customers "
    "WHERE customer_id = :customer_id"
)
_HAS_INTERACTIONS = text(
    "SELECT EXISTS (SELECT 1 FROM insights.interactions WHERE customer_id = :customer_id)"
)
_COUNT_INTERACTIONS = text(
    "SELECT count(*) FROM insights.interactions WHERE customer_id = :customer_id"
)
_PAGE_OF_INTERACTIONS = text(
    "SELECT id, occurred_at, channel, topic, sentiment, product "
    "FROM insights.interaction_facts "
    "WHERE customer_id = :customer_id "
    "ORDER BY occurred_at DESC, id DESC LIMIT :limit OFFSET :offset"
)


class PostgresCustomerRepository(AbstractCustomerRepository):
    """Customers read from the clean tables; PostgreSQL pages with LIMIT/OFFSET."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _snapshot(self) -> Connection:
        # A page and its total come from one snapshot, even while a load commits.
        return self._engine.connect().execution_options(isolation_level="REPEATABLE READ")

    def _stored_customer_types(self) -> set[str]:
        with self._engine.connect() as connection:
            return set(connection.execute(_CUSTOMER_TYPES).scalars())

    def _list_customers(
        self, customer_type: str | None, limit: int, offset: int
    ) -> tuple[list[Customer], int]:
        params = {"customer_type": customer_type, "limit": limit, "offset": offset}
        with self._snapshot() as connection:
            total = int(connection.execute(_COUNT_CUSTOMERS, params).scalar_one())
            rows = connection.execute(_PAGE_OF_CUSTOMERS, params).all()
        return [Customer(*row) for row in rows], total

    def _get_customer(self, customer_id: int) -> Customer | None:
        params = {"customer_id": customer_id}
        with self._snapshot() as connection:
            row = connection.execute(_ONE_CUSTOMER, params).one_or_none()
            if row is not None:
                return Customer(customer_id, row[0], row[1])
            if connection.execute(_HAS_INTERACTIONS, params).scalar_one():
                return Customer(customer_id, None, UNKNOWN)
        return None

    def _list_interactions(
        self, customer_id: int, limit: int, offset: int
    ) -> tuple[list[Interaction], int]:
        params = {"customer_id": customer_id, "limit": limit, "offset": offset}
        with self._snapshot() as connection:
            total = int(connection.execute(_COUNT_INTERACTIONS, params).scalar_one())
            rows = connection.execute(_PAGE_OF_INTERACTIONS, params).all()
        return [Interaction(*row) for row in rows], total


class InMemoryCustomerRepository(AbstractCustomerRepository):
    """Customers and ``(customer_id, interaction)`` pairs held in Python lists."""

    def __init__(
        self,
        customers: Iterable[Customer] = (),
        interactions: Iterable[tuple[int, Interaction]] = (),
    ) -> None:
        self.customers = list(customers)
        self.interactions = list(interactions)

    def _every_customer(self) -> list[Customer]:
        stored = {customer.customer_id: customer for customer in self.customers}
        for customer_id, _ in self.interactions:
            stored.setdefault(customer_id, Customer(customer_id, None, UNKNOWN))
        return sorted(stored.values(), key=lambda customer: customer.customer_id)

    def _stored_customer_types(self) -> set[str]:
        return {customer.customer_type for customer in self.customers}

    def _list_customers(
        self, customer_type: str | None, limit: int, offset: int
    ) -> tuple[list[Customer], int]:
        matching = [
            customer
            for customer in self._every_customer()
            if customer_type is None or customer.customer_type == customer_type
        ]
        return matching[offset : offset + limit], len(matching)

    def _get_customer(self, customer_id: int) -> Customer | None:
        found = (c for c in self._every_customer() if c.customer_id == customer_id)
        return next(found, None)

    def _list_interactions(
        self, customer_id: int, limit: int, offset: int
    ) -> tuple[list[Interaction], int]:
        own = [i for owner, i in self.interactions if owner == customer_id]
        own.sort(key=lambda i: (i.occurred_at, i.id), reverse=True)
        return own[offset : offset + limit], len(own)
