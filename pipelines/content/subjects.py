"""Email subject lines: split off the model's text, checked like the body, or derived.

An email prompt that asks for one (``subject_line = true`` in its file) wants a first line
``Subject: ...``; any model's answer is parsed the same way. The subject then passes the
body's grounding checks (no topic, product, number, date or channel the prompt's data
did not carry; no markup; no past contact for a first contact) and the header rules
below. Where a stored email has no subject (written before subjects, or replaced after
failing twice), the subject is derived from its focus: ``derived_subject``.
"""

import re

MAX_SUBJECT_CHARS = 78
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_SUBJECT_LINE = re.compile(r"\A\s*subject\s*:[ \t]*(?P<subject>[^\n]*)\n?", re.IGNORECASE)
# Marketing shouting: repeated exclamation marks, or two capitalised words of 4+ letters
# ("FREE OFFER"); a short acronym from the data ("COPD") stays allowed.
_EXCLAIMS = re.compile(r"!\s*!")
_SHOUTED_WORD = re.compile(r"\b[A-Z]{4,}\b")


class SubjectError(ValueError):
    """A subject line that breaks a header rule (control characters, length, empty)."""


def split_subject(text: str) -> tuple[str | None, str]:
    """Return the text's ``Subject:`` first line (None without one) and the rest of it."""
    match = _SUBJECT_LINE.match(text)
    if match is None:
        return None, text
    return match.group("subject").strip(), text[match.end() :].lstrip("\n")


def header_problems(subject: str) -> list[str]:
    """Return what makes ``subject`` unfit as a header line, one sentence per problem."""
    problems = []
    if _UNSAFE.search(subject):
        problems.append("the subject has a control character")
    if not subject.strip() or len(subject) > MAX_SUBJECT_CHARS:
        problems.append(f"the subject must be 1 to {MAX_SUBJECT_CHARS} characters")
    letters = [c for c in subject if c.isalpha()]
    shouting = len(letters) >= 8 and all(c.isupper() for c in letters)
    if shouting or len(_SHOUTED_WORD.findall(subject)) >= 2:
        problems.append("the subject is written in capitals")
    if _EXCLAIMS.search(subject):
        problems.append("the subject repeats exclamation marks")
    return problems


def check_subject(subject: str) -> str:
    """Return ``subject`` if it passes ``header_problems``.

    Raises:
        SubjectError: naming the first problem.
    """
    problems = header_problems(subject)
    if problems:
        raise SubjectError(problems[0])
    return subject


def derived_subject(focus: str | None) -> str:
    """Return the fallback subject of an email: its focus, or a plain default."""
    topic = " ".join(_UNSAFE.sub(" ", focus or "").split())
    subject = f"About {topic}"[:MAX_SUBJECT_CHARS].rstrip() if topic else ""
    if not subject or header_problems(subject):
        return "A note from our team"
    return subject
