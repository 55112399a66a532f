"""Draw label codes by weight and turn codes and numbers into cell text."""

from collections.abc import Mapping

import numpy as np

from pipelines.ingestion.synthetic.vocabulary import BRIEF_EXAMPLES, HEADERS


def draw(rng: np.random.Generator, weights: Mapping[str, float], count: int) -> np.ndarray:
    """Draw ``count`` label codes with the given relative weights."""
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(len(p), size=count, p=p / p.sum())


def labels_of(weights: Mapping[str, float]) -> np.ndarray:
    """Return the labels of a weights mapping as an object array indexable by code."""
    return np.array(list(weights), dtype=object)


def codes_of(labels: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """Return the code of each label in a weights mapping."""
    return np.array([list(weights).index(label) for label in labels], dtype=np.int64)


def format_ids(ids: np.ndarray) -> np.ndarray:
    """Format integer ids as plain decimal strings."""
    return ids.astype(str).astype(object)


def two_digits() -> np.ndarray:
    """Return "00" to "59" as an object array indexable by number."""
    return np.array([f"{n:02d}" for n in range(60)], dtype=object)


def brief_block(key: str, include: bool) -> np.ndarray:
    """Return the brief's example rows for a sheet as a 2-D object array, maybe empty."""
    rows = BRIEF_EXAMPLES[key] if include else ()
    return np.array(rows, dtype=object).reshape(len(rows), len(HEADERS[key]))
