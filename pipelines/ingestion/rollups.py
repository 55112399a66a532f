"""Pre-aggregate the clean interactions for the statistics endpoints, in pandas.

The rollups count interactions per month and every dimension, and per day, product and
customer type, with the same meaning as the view ``insights.interaction_facts``: an
interaction's product is its calendar month's product, its customer type that of its
customer, ``UNKNOWN`` where there is none. Grouping here takes about 0.4 s for a million
rows against 1.8 s for the same GROUP BY over the view inside the load's transaction;
tests/integration check that both give the same rows.
"""

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from threading import Lock
from typing import Any

import numpy as np
import pandas as pd

from pipelines.ingestion.cells import row_keys
from pipelines.ingestion.load_figures import load_figures
from repository.model import UNKNOWN

_MONTHLY_KEYS = ["month", "product", "customer_type", "channel", "topic", "sentiment"]
_DAILY_KEYS = ["day", "product", "customer_type"]


@dataclass(frozen=True)
class Rollups:
    """The rows of ``interaction_monthly_rollup`` and ``interaction_daily_product_type``.

    With the version's ``load_figures`` row, computed from the same frames.
    """

    monthly: pd.DataFrame
    daily: pd.DataFrame
    figures: dict[str, Any]


class PendingRollups:
    """The rollups, computed in a background thread while the load inserts and indexes rows.

    The load's transaction writes them once its customers, product months and audit rows
    are in, while a side session still copies and indexes the interactions: the grouping
    overlaps the server's work. ``start`` is called once the load's own rows are copied:
    started earlier, the thread contended with their Python work (0.2 s slower at 1M rows)
    and held its frames beside the COPY buffers (xlsx peak +130 MiB).
    Reading ``monthly`` or ``daily`` starts it if need be, waits, and re-raises its error.
    """

    def __init__(
        self, interactions: pd.DataFrame, customers: pd.DataFrame, product_months: pd.DataFrame
    ) -> None:
        self._frames = (interactions, customers, product_months)
        self._future: Future[Rollups] | None = None
        self._lock = Lock()

    def start(self) -> None:
        """Start computing the rollups in the background, unless already started."""
        with self._lock:
            if self._future is None:
                # Not a with block: leaving it would wait for the result here.
                pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rollups")
                self._future = pool.submit(interaction_rollups, *self._frames)
                pool.shutdown(wait=False)  # the thread ends once the rollups are computed

    @property
    def monthly(self) -> pd.DataFrame:
        """Return the monthly rollup, once computed."""
        return self._result().monthly

    @property
    def daily(self) -> pd.DataFrame:
        """Return the daily rollup, once computed."""
        return self._result().daily

    @property
    def figures(self) -> dict[str, Any]:
        """Return the version's figures (migration 0017), once computed."""
        return self._result().figures

    def _result(self) -> Rollups:
        self.start()
        assert self._future is not None
        return self._future.result()


def interaction_rollups(
    interactions: pd.DataFrame, customers: pd.DataFrame, product_months: pd.DataFrame
) -> Rollups:
    """Count the clean interactions per month and dimension, and per day, product and type."""
    occurred = interactions["occurred_at"]
    codes, labels = {}, {}
    for key, dates in (
        ("month", occurred.dt.to_period("M").dt.to_timestamp()),
        ("day", occurred.dt.normalize()),
    ):
        codes[key], labels[key] = pd.factorize(dates.to_numpy())
    # Looked up once per month and per customer, not per interaction (0.2 s at 1M rows).
    products = product_months.set_index("month")["product"]
    months = pd.Series(labels["month"]).map(products).to_numpy(dtype=object)
    codes["product"], labels["product"] = _known(codes["month"], months)
    position = pd.Index(customers["customer_id"]).get_indexer(interactions["customer_id"])
    types = customers["customer_type"].to_numpy(dtype=object)
    codes["customer_type"], labels["customer_type"] = _known(position, types)
    for key in ("channel", "topic", "sentiment"):
        texts, uniques = pd.factorize(interactions[key].to_numpy())
        # Code -1 (a missing text) picks the None appended last.
        codes[key], labels[key] = texts, np.append(uniques.astype(object), [None])
    monthly = _count(codes, labels, _MONTHLY_KEYS)
    daily = _count(codes, labels, _DAILY_KEYS)
    figures = load_figures(interactions, customers, product_months, monthly, daily)
    return Rollups(monthly, daily, figures)


def _known(positions: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return per row the code of ``values[position]`` and the labels the codes stand for.

    A position of -1 (nothing to look up) and a missing value read ``UNKNOWN``; equal
    labels share one code.
    """
    filled = pd.Series(np.append(values, [None]), dtype=object).fillna(UNKNOWN).to_numpy()
    small, uniques = pd.factorize(filled)
    return small[positions], uniques


def _count(
    codes: dict[str, np.ndarray], labels: dict[str, np.ndarray], keys: list[str]
) -> pd.DataFrame:
    """Count the rows per combination of ``keys``, in order of first appearance.

    As ``facts.groupby(keys, dropna=False, sort=False).size()`` over the labels: an
    interaction without a channel, topic or sentiment still counts, under an empty label.
    """
    group, _ = pd.factorize(row_keys([codes[key] for key in keys]))
    # Groups are numbered in order of appearance: each one's first row raises the maximum.
    first = np.flatnonzero(np.diff(np.maximum.accumulate(group), prepend=-1) > 0)
    counted = pd.DataFrame({key: labels[key][codes[key][first]] for key in keys})
    counted = counted.astype(dict.fromkeys(keys[1:], "str"))
    counted["interactions"] = np.bincount(group, minlength=len(first)).astype(np.int64)
    # Dates, not midnights, for the DATE columns; converted after grouping, on few rows.
    counted[keys[0]] = counted[keys[0]].dt.date
    # Stored in time order, a range of months or days is a few adjacent pages: a year
    # filtered by sentiment read 676 scattered pages of the 1M-row monthly rollup.
    return counted.sort_values(keys[0], kind="stable", ignore_index=True)
