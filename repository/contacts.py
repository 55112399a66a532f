"""Contacts: one current email address per customer, which the export does not have.

Addresses arrive already normalised (pipelines/outreach/contacts.py validates them); the
repository only stores and reads them. ``reachability`` is how sending asks which
customers can be written to: every id asked about comes back, either with its address or
as ``no_address``, so nobody is skipped without a trace.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text

from repository.engine import single_statements
from repository.errors import InvalidInput


@dataclass(frozen=True)
class Contact:
    """A customer's address, as given (``updated_at`` is set when stored)."""

    customer_id: int
    email: str
    display_name: str | None
    source: str
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ContactCounts:
    """What storing a batch of contacts did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Reachability:
    """The customers asked about, split into those with an address and those without."""

    addresses: dict[int, Contact]
    no_address: list[int]


class AbstractContactRepository(ABC):
    """Store and read customers' contact addresses."""

    def reachability(self, customer_ids: Iterable[int]) -> Reachability:
        """Return the address of each customer that has one; list the others as no_address."""
        wanted = sorted(set(customer_ids))
        found = {contact.customer_id: contact for contact in self._find(wanted)}
        return Reachability(found, [cid for cid in wanted if cid not in found])

    def get(self, customer_id: int) -> Contact | None:
        """Return the customer's address, or None when it has none."""
        found = self._find([customer_id])
        return found[0] if found else None

    def upsert(self, contacts: Sequence[Contact]) -> ContactCounts:
        """Store the contacts in one transaction, replacing older addresses.

        Raises:
            InvalidInput: a customer appears twice (which address should win?).
        """
        if len({contact.customer_id for contact in contacts}) < len(contacts):
            raise InvalidInput("each customer may appear once in a batch of contacts")
        return self._upsert(contacts)

    @abstractmethod
    def _upsert(self, contacts: Sequence[Contact]) -> ContactCounts:
        """Store contacts of distinct customers in one transaction; count what changed."""

    @abstractmethod
    def _find(self, customer_ids: list[int]) -> list[Contact]:
        """Return the stored contacts of these customers."""


# One statement for the whole batch: arrays in, one row per customer out. Rows that
# would not change are left alone so that their updated_at keeps meaning something.
_UPSERT = text("""
    INSERT INTO insights.contacts (customer_id, email, display_name, source)
    SELECT * FROM unnest(
        CAST(:ids AS integer[]), CAST(:emails AS text[]),
        CAST(:names AS text[]), CAST(:sources AS text[])
    )
    ON CONFLICT (customer_id) DO UPDATE
    SET email = EXCLUDED.email, display_name = EXCLUDED.display_name,
        source = EXCLUDED.source, updated_at = now()
    WHERE (contacts.email, contacts.display_name)
        IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.display_name)
    RETURNING (xmax = 0) AS added
""")
_FIND = text("""
    SELECT customer_id, email, display_name, source, updated_at
    FROM insights.contacts WHERE customer_id = ANY(CAST(:ids AS integer[]))
    ORDER BY customer_id
""")


class PostgresContactRepository(AbstractContactRepository):
    """Contacts in ``insights.contacts``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _upsert(self, contacts: Sequence[Contact]) -> ContactCounts:
        params = {
            "ids": [c.customer_id for c in contacts],
            "emails": [c.email for c in contacts],
            "names": [c.display_name for c in contacts],
            "sources": [c.source for c in contacts],
        }
        with single_statements(self._engine) as connection:
            added = list(connection.execute(_UPSERT, params).scalars())
        new = sum(added)
        return ContactCounts(new, len(added) - new, len(contacts) - len(added))

    def _find(self, customer_ids: list[int]) -> list[Contact]:
        with single_statements(self._engine) as connection:
            rows = connection.execute(_FIND, {"ids": customer_ids}).all()
        return [Contact(*row) for row in rows]
