"""The shrink guard refuses loads that would empty or heavily shrink a clean table."""

import pytest

from pipelines.ingestion.shrink import ShrinkRefused, check_shrink, excessive_shrinks

NOW = {"customers": 34, "interactions": 388, "product_months": 12}


class TestWhatIsRefused:
    def test_a_load_that_empties_a_table_is_refused_whatever_the_share(self):
        shrinks = excessive_shrinks(NOW, {**NOW, "interactions": 0}, max_share=1.0)
        assert [(s.table, s.current, s.incoming) for s in shrinks] == [("interactions", 388, 0)]

    def test_losing_more_than_the_share_is_refused(self):
        shrinks = excessive_shrinks(NOW, {**NOW, "customers": 27}, max_share=0.2)
        assert [s.table for s in shrinks] == ["customers"]

    def test_losing_exactly_the_share_or_less_is_allowed(self):
        # 34 -> 28 loses 17.6%; 388 -> 311 loses 19.8%: both within 20%.
        assert excessive_shrinks(NOW, {**NOW, "customers": 28, "interactions": 311}, 0.2) == []

    def test_growth_is_always_allowed(self):
        assert excessive_shrinks(NOW, {k: v * 10 for k, v in NOW.items()}, 0.0) == []

    def test_a_first_load_into_empty_tables_is_never_refused(self):
        assert excessive_shrinks({}, {"customers": 0, "interactions": 1}, 0.2) == []

    def test_every_table_too_far_is_named(self):
        shrinks = excessive_shrinks(NOW, {"customers": 0, "interactions": 1}, 0.2)
        assert [s.table for s in shrinks] == ["customers", "interactions", "product_months"]


class TestTheMessage:
    def test_it_is_one_line_naming_tables_counts_and_the_way_out(self):
        with pytest.raises(ShrinkRefused) as raised:
            check_shrink(NOW, {**NOW, "interactions": 1}, 0.2)
        message = raised.value.message
        assert "\n" not in message
        assert "interactions 388 -> 1" in message and "--allow-shrink" in message
        assert "customers" not in message

    def test_nothing_is_raised_within_the_limit(self):
        check_shrink(NOW, NOW, 0.2)
