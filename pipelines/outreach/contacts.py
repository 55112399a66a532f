"""Contact addresses: validate and normalise them, and read a contacts CSV file.

Addresses are checked for syntax only (email-validator without deliverability checks):
the service runs without network, and whether a mailbox exists is the delivery's
business. Error messages never repeat the address: they end up in logs and terminals.
"""

from dataclasses import dataclass
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from pipelines.outreach.fields import MAX_DISPLAY_NAME_CHARS, customer_id_of, optional_text
from pipelines.outreach.rows import BadRow, read_rows
from repository.contacts import AbstractContactRepository, Contact
from repository.customers import AbstractCustomerRepository
from repository.errors import InsightsError, InvalidInput

IMPORT_SOURCE = "import"
NO_ADDRESS = "no_address"
MAX_EMAIL_CHARS = 320


def normalised_email(raw: str) -> str:
    """Return the normalised form of the address ``raw`` (domain lower-cased, IDNA, NFC).

    Raises:
        InvalidInput: not a valid address (field ``email``).
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidInput("email is empty", field="email")
    if len(text) > MAX_EMAIL_CHARS:
        raise InvalidInput(f"email is longer than {MAX_EMAIL_CHARS} characters", field="email")
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(f"email is not a valid address: {error}", field="email") from None
    return checked.normalized


def contact_of(customer_id: int, email: str, display_name: str | None, source: str) -> Contact:
    """Return a checked contact with its address normalised.

    Raises:
        InvalidInput: a bad address or a display name too long.
    """
    name = optional_text(display_name, "display_name", MAX_DISPLAY_NAME_CHARS)
    return Contact(customer_id, normalised_email(email), name, source)


def contacts_from_csv(path: Path) -> tuple[list[Contact], list[BadRow]]:
    """Read a contacts file: customer_id, email and optionally display_name.

    A customer named again on a later line is a bad row: which address should win?

    Raises:
        InvalidInput: the file as a whole cannot be read.
    """
    rows = read_rows(path, {"customer_id", "email"}, {"display_name"})
    contacts: list[Contact] = []
    bad: list[BadRow] = []
    first_line: dict[int, int] = {}
    for row in rows:
        try:
            if row.extra_cells:
                raise InvalidInput("more cells than the header has columns")
            cells = row.cells
            customer_id = customer_id_of(cells["customer_id"])
            contact = contact_of(
                customer_id, cells["email"], cells.get("display_name"), IMPORT_SOURCE
            )
            if customer_id in first_line:
                raise InvalidInput(
                    f"customer {customer_id} is already on line {first_line[customer_id]}"
                )
        except InsightsError as error:
            bad.append(BadRow(row.line, error.message))
            continue
        first_line[customer_id] = row.line
        contacts.append(contact)
    return contacts, bad


@dataclass(frozen=True)
class CustomerContact:
    """A customer's address, or ``no_address`` when none is stored."""

    customer_id: int
    contact: Contact | None

    @property
    def status(self) -> str:
        """Return "ok" or "no_address"."""
        return NO_ADDRESS if self.contact is None else "ok"


def customer_contact(
    customers: AbstractCustomerRepository, contacts: AbstractContactRepository, customer_id: int
) -> CustomerContact:
    """Return a customer's address, if any.

    Raises:
        NotFound: no customer row and no interaction has the id.
    """
    customers.get_customer(customer_id)
    return CustomerContact(customer_id, contacts.get(customer_id))


def set_customer_contact(
    customers: AbstractCustomerRepository,
    contacts: AbstractContactRepository,
    contact: Contact,
) -> CustomerContact:
    """Check and store a customer's address (normalised), and return what is stored.

    Raises:
        NotFound: no customer row and no interaction has the id.
        InvalidInput: a bad address or display name.
    """
    customers.get_customer(contact.customer_id)
    checked = contact_of(contact.customer_id, contact.email, contact.display_name, contact.source)
    contacts.upsert([checked])
    return CustomerContact(contact.customer_id, contacts.get(contact.customer_id))
