import re

import pytest

from api.request_log import request_id_from

GENERATED = re.compile(r"[0-9a-f]{32}")


class TestRequestIdFrom:
    @pytest.mark.parametrize("value", ["abc-123", "req.42:retry_1", "a" * 128])
    def test_a_tame_client_id_is_reused(self, value):
        assert request_id_from(value) == value

    @pytest.mark.parametrize(
        "value", [None, "", "a" * 129, "id\nforged log line", "<script>", "spaces not ok"]
    )
    def test_a_missing_or_unsafe_id_is_replaced_by_a_new_one(self, value):
        assert GENERATED.fullmatch(request_id_from(value))

    def test_generated_ids_differ(self):
        assert request_id_from(None) != request_id_from(None)
