import io
import json
import logging

from api.log_config import ConsoleFormatter, build_formatter


def _record(**extra) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "api.requests", "levelno": 20, "levelname": "INFO"})
    record.msg = "GET /x 200"
    record.__dict__.update(extra)
    return record


class TestFormatters:
    def test_json_lines_carry_the_extra_fields(self):
        line = build_formatter("json").format(_record(request_id="r1", status=200))
        payload = json.loads(line)
        assert payload["message"] == "GET /x 200"
        assert payload["level"] == "INFO"
        assert payload["logger"] == "api.requests"
        assert (payload["request_id"], payload["status"]) == ("r1", 200)

    def test_console_lines_are_readable_and_keep_the_extras(self):
        line = ConsoleFormatter().format(_record(request_id="r1", status=200))
        assert "INFO" in line and "GET /x 200" in line
        assert "request_id=r1" in line and "status=200" in line
        assert not line.lstrip().startswith("{")

    def test_auto_picks_json_when_not_on_a_terminal(self):
        assert not isinstance(build_formatter("auto", io.StringIO()), ConsoleFormatter)

    def test_auto_picks_console_on_a_terminal(self):
        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        assert isinstance(build_formatter("auto", Terminal()), ConsoleFormatter)
