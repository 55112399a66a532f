"""Generate a contacts file for a generated data set: the addresses the export lacks.

Deterministic for a seed, drawn from a stream of its own so that the sheets stay what
they were before contacts existed. Every twentieth customer (from the second on) has no
address, so that sending meets ``no_address`` customers; every seventh address has its
domain in capitals, which importing normalises. Only reserved example domains are used.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd

CONTACT_HEADERS = ["customer_id", "email", "display_name"]
CONTACT_DOMAINS = ("example.com", "example.org", "example.net")
NO_ADDRESS_EVERY = 20
UPPER_DOMAIN_EVERY = 7
_CONTACTS_STREAM = 15  # mixed into the seed: issue 15 added this stream
_ID = re.compile(r"\d{1,10}")


def sheet_customer_ids(customers: pd.DataFrame) -> list[int]:
    """Return the distinct ids of the customer sheet that are plain whole numbers."""
    cells = customers.iloc[:, 0].astype(str).str.strip()
    return sorted({int(cell) for cell in cells if _ID.fullmatch(cell) and int(cell) > 0})


def contact_sheet(customer_ids: list[int], seed: int) -> pd.DataFrame:
    """Return customer_id, email, display_name for the customers given an address."""
    ids = np.array(sorted(set(customer_ids)), dtype=np.int64)
    rng = np.random.default_rng([seed, _CONTACTS_STREAM])
    domains = rng.integers(0, len(CONTACT_DOMAINS), len(ids))
    rows = []
    for position, (customer_id, domain) in enumerate(zip(ids, domains, strict=True)):
        if position % NO_ADDRESS_EVERY == 1:
            continue
        host = CONTACT_DOMAINS[domain]
        if position % UPPER_DOMAIN_EVERY == 3:
            host = host.upper()
        rows.append((str(customer_id), f"customer.{customer_id}@{host}", f"Customer {customer_id}"))
    return pd.DataFrame(rows, columns=CONTACT_HEADERS, dtype=object)


def contacts_path(out: Path, fmt: str) -> Path:
    """Return where the contacts file goes: in the CSV folder, or beside the workbook."""
    out = Path(out)
    return out / "contacts.csv" if fmt == "csv" else out.with_name(f"{out.stem}_contacts.csv")


def write_contacts(contacts: pd.DataFrame, path: Path) -> Path:
    """Write the contacts as UTF-8 CSV with fixed line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    contacts.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
