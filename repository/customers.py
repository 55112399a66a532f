"""Customers: the abstract interface, its PostgreSQL implementation and the one definition
of which customers exist.

A customer exists when it has a row in ``insights.customers`` or at least one interaction:
the cleaning keeps interactions whose customer the export lacks, and counts those
customers as type UNKNOWN. ``EVERY_CUSTOMER`` is that rule in SQL, for every query here
and in the customer history.
"""

from abc import ABC, abstractmethod
from typing import TypeVar

from sqlalchemy import Engine, text

from repository import figures
from repository.engine import page_and_total, retry_if_partition_detached, single_statements
from repository.errors import InvalidInput, NotFound
from repository.model import CURRENT_VERSION_SQL, UNKNOWN, UNKNOWN_SQL, Customer

_Found = TypeVar("_Found")

# Customers with a row, then those known only from their interactions (type Unknown).
EVERY_CUSTOMER = f"""
    every_customer AS (
        SELECT customer_id, occupation, COALESCE(customer_type, {UNKNOWN_SQL}) AS customer_type
        FROM insights.customers
        WHERE version = {CURRENT_VERSION_SQL}
        UNION ALL
        SELECT DISTINCT i.customer_id, NULL, {UNKNOWN_SQL}
        FROM insights.interactions AS i
        WHERE i.version = {CURRENT_VERSION_SQL} AND NOT EXISTS (
            SELECT 1 FROM insights.customers AS c
            WHERE c.version = i.version AND c.customer_id = i.customer_id
        )
    )
"""  # nosec B608 # built from constants; values are bound


class AbstractCustomerRepository(ABC):
    """Read customers, a page at a time or one by id."""

    def customer_types(self) -> set[str]:
        """Return every customer type a filter may name, UNKNOWN included."""
        return self._stored_customer_types() | {UNKNOWN}

    def list_customers(
        self, customer_type: str | None, page: int, page_size: int
    ) -> tuple[list[Customer], int]:
        """Return one page of customers ordered by id, and how many match in all.

        ``customer_type`` matches case-insensitively; ``None`` means every type.

        Raises:
            InvalidInput: an unknown ``customer_type``, or a page or page size below 1.
        """
        check_page(page, page_size)
        canonical = None if customer_type is None else self._canonical_type(customer_type)
        return self._list_customers(canonical, page_size, (page - 1) * page_size)

    def get_customer(self, customer_id: int) -> Customer:
        """Return one customer.

        Raises:
            NotFound: no customer row and no interaction has ``customer_id``.
        """
        return existing(self._get_customer(customer_id), customer_id)

    def _canonical_type(self, customer_type: str) -> str:
        known = {name.casefold(): name for name in self.customer_types()}
        try:
            return known[customer_type.strip().casefold()]
        except KeyError:
            # The known types are data: the message does not list them (the overview's
            # by_customer_type does, for callers allowed to read statistics).
            raise InvalidInput(
                f"unknown customer type {customer_type!r}; the statistics overview lists "
                "the known ones",
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


def check_page(page: int, page_size: int) -> None:
    """Raise InvalidInput unless both the page and the page size are at least 1."""
    if page < 1 or page_size < 1:
        raise InvalidInput(f"page ({page}) and page size ({page_size}) must be at least 1")


def customer_not_found(customer_id: int) -> NotFound:
    """Return the error for a customer id nobody has."""
    return NotFound(f"customer {customer_id} not found")


def existing(found: _Found | None, customer_id: int) -> _Found:
    """Return what was found for ``customer_id``, or raise NotFound if nothing was."""
    if found is None:
        raise customer_not_found(customer_id)
    return found


_MATCHES_TYPE = "WHERE CAST(:customer_type AS text) IS NULL OR customer_type = :customer_type"
# The load's recorded total (migration 0017); counting every_customer read every
# interaction to find the interaction-only customers on each call.
_COUNT_CUSTOMERS = text(
    f"SELECT COALESCE(({figures.CUSTOMER_TOTAL.text}), "
    f"(WITH {EVERY_CUSTOMER} SELECT count(*) FROM every_customer {_MATCHES_TYPE}))"  # nosec B608 # built from constants; values are bound
)
# The interaction-only customers as the load recorded them (migration 0021), or, for a
# version recorded before that, found among its interactions as every_customer does.
_INTERACTION_ONLY_IDS = f"""COALESCE(
    (SELECT interaction_only_customers FROM insights.load_figures
     WHERE version = {CURRENT_VERSION_SQL}),
    (SELECT array_agg(DISTINCT i.customer_id) FROM insights.interactions AS i
     WHERE i.version = {CURRENT_VERSION_SQL} AND NOT EXISTS (
         SELECT 1 FROM insights.customers AS c
         WHERE c.version = i.version AND c.customer_id = i.customer_id)))"""  # nosec B608 # built from constants
# Every customer, or the Unknown ones: each side gives at most the rows up to the page's
# end, in id order (an index scan and a small sort), and the two are merged.
_PAGE_OF_CUSTOMERS = text(
    "SELECT customer_id, occupation, customer_type FROM ("
    f" (SELECT customer_id, occupation, COALESCE(customer_type, {UNKNOWN_SQL}) AS customer_type"
    f"  FROM insights.customers WHERE version = {CURRENT_VERSION_SQL}"
    "   AND (CAST(:customer_type AS text) IS NULL"
    f"       OR COALESCE(customer_type, {UNKNOWN_SQL}) = :customer_type)"
    "  ORDER BY customer_id LIMIT :page_end)"
    " UNION ALL"
    f" (SELECT id, NULL, {UNKNOWN_SQL} FROM unnest({_INTERACTION_ONLY_IDS}) AS id"
    "  ORDER BY id LIMIT :page_end)"
    ") AS every_customer ORDER BY customer_id LIMIT :limit OFFSET :offset"  # nosec B608 # built from constants; values are bound
)
# A stored type other than Unknown: only sheet rows can have it, so the interaction-only
# customers (all Unknown) need not be looked for at all.
_PAGE_OF_TYPED_CUSTOMERS = text(
    "SELECT customer_id, occupation, customer_type FROM insights.customers "
    f"WHERE version = {CURRENT_VERSION_SQL} AND customer_type = :customer_type "
    "ORDER BY customer_id LIMIT :limit OFFSET :offset"  # nosec B608 # built from constants; values are bound
)
# The recorded types when the load left figures, else the rows' (a scan of the index).
_CUSTOMER_TYPES = text(
    "SELECT jsonb_object_keys(customers_by_type) FROM insights.load_figures "
    f"WHERE version = {CURRENT_VERSION_SQL} "
    "UNION SELECT DISTINCT customer_type FROM insights.customers "
    f"WHERE version = {CURRENT_VERSION_SQL} AND customer_type IS NOT NULL AND NOT EXISTS "
    f"(SELECT 1 FROM insights.load_figures WHERE version = {CURRENT_VERSION_SQL})"  # nosec B608 # built from constants; values are bound
)
ONE_CUSTOMER = text(
    f"WITH {EVERY_CUSTOMER} SELECT customer_id, occupation, customer_type "
    "FROM every_customer WHERE customer_id = :customer_id"  # nosec B608 # built from constants; values are bound
)


class PostgresCustomerRepository(AbstractCustomerRepository):
    """Customers read from the clean tables; PostgreSQL pages with LIMIT/OFFSET."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @retry_if_partition_detached
    def _stored_customer_types(self) -> set[str]:
        with single_statements(self._engine) as connection:
            return set(connection.execute(_CUSTOMER_TYPES).scalars())

    @retry_if_partition_detached
    def _list_customers(
        self, customer_type: str | None, limit: int, offset: int
    ) -> tuple[list[Customer], int]:
        params = {
            "customer_type": customer_type,
            "limit": limit,
            "offset": offset,
            "page_end": limit + offset,
        }
        typed = customer_type is not None and customer_type != UNKNOWN
        page = _PAGE_OF_TYPED_CUSTOMERS if typed else _PAGE_OF_CUSTOMERS
        rows, total = page_and_total(self._engine, _COUNT_CUSTOMERS, page, params)
        return [Customer(*row) for row in rows], total

    @retry_if_partition_detached
    def _get_customer(self, customer_id: int) -> Customer | None:
        with single_statements(self._engine) as connection:
            row = connection.execute(ONE_CUSTOMER, {"customer_id": customer_id}).one_or_none()
        return None if row is None else Customer(*row)
