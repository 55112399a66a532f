"""Generate deterministic, realistically messy data shaped like the business's Excel export."""

import numpy as np
import pandas as pd

from pipelines.ingestion.synthetic.contacts import (
    contact_sheet,
    contacts_path,
    sheet_customer_ids,
    write_contacts,
)
from pipelines.ingestion.synthetic.sheets import customer_sheet, interaction_sheet, product_sheet
from pipelines.ingestion.synthetic.vocabulary import (
    BRIEF_EXAMPLES,
    CSV_NAMES,
    HEADERS,
    SHEET_NAMES,
    XLSX_MAX_ROWS,
)
from pipelines.ingestion.synthetic.writing import clobber_problem, write_dataset

__all__ = [
    "CSV_NAMES",
    "HEADERS",
    "SHEET_NAMES",
    "XLSX_MAX_ROWS",
    "clobber_problem",
    "contact_sheet",
    "contacts_path",
    "generate_dataset",
    "sheet_customer_ids",
    "write_contacts",
    "write_dataset",
]


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
    customer_frame, customer_ids = customer_sheet(rng, customers, include_brief_examples)
    return {
        "customers": customer_frame,
        "interactions": interaction_sheet(rng, interactions, customer_ids, include_brief_examples),
        "products": product_sheet(rng, include_brief_examples),
    }
