"""Configure logging: JSON lines for machines, readable lines on a terminal."""

import logging
import sys
from typing import Any

from flask import g, has_request_context
from pythonjsonlogger.json import JsonFormatter

# Attributes every LogRecord has; anything else was passed through ``extra``.
_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_HANDLER_NAME = "insights"


class ConsoleFormatter(logging.Formatter):
    """Human-readable lines, with ``extra`` fields appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}
        if extras:
            line += "  " + " ".join(f"{key}={value}" for key, value in extras.items())
        return line


class _CurrentStderrHandler(logging.StreamHandler):
    """Write to whatever ``sys.stderr`` is now, so swapped streams (test capture) keep working."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class _RequestIdFilter(logging.Filter):
    """Stamp lines logged while serving a request with its id, so they can be joined up."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            request_id = getattr(g, "request_id", None)
            if request_id:
                record.request_id = request_id
        return True


def build_formatter(log_format: str, stream: Any = None) -> logging.Formatter:
    """Return the formatter for ``log_format`` (json, console or auto)."""
    stream = stream or sys.stderr
    if log_format == "console" or (log_format == "auto" and stream.isatty()):
        return ConsoleFormatter()
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )


def configure_logging(level: str, log_format: str) -> None:
    """Install one stderr handler on the root logger (idempotent across app instances)."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = _CurrentStderrHandler()
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(_RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(build_formatter(log_format))
    root.setLevel(level)
    # pgserver narrates every pg_ctl call and yoyo every migration step at INFO; the
    # CLI reports what matters itself.
    for chatty in ("pgserver", "yoyo"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
