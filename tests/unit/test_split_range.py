from datetime import date, datetime

from repository.statistics import split_range


def at(y, m, d):
    return datetime(y, m, d)


class TestSplitRange:
    def test_no_bounds_reads_every_month_from_the_rollup(self):
        split = split_range(None, None)
        assert (split.whole_from, split.whole_to, split.use_rollup, split.partial) == (
            None, None, True, ()
        )  # fmt: skip

    def test_whole_months_need_no_rows(self):
        split = split_range(date(2024, 1, 1), date(2024, 3, 31))
        assert (split.whole_from, split.whole_to) == (date(2024, 1, 1), date(2024, 4, 1))
        assert split.partial == ()

    def test_partial_months_at_both_ends_come_from_rows(self):
        split = split_range(date(2024, 1, 15), date(2024, 3, 10))
        assert (split.whole_from, split.whole_to) == (date(2024, 2, 1), date(2024, 3, 1))
        assert split.partial == (
            (at(2024, 1, 15), at(2024, 2, 1)),
            (at(2024, 3, 1), at(2024, 3, 11)),
        )

    def test_a_range_inside_one_month_uses_rows_only(self):
        split = split_range(date(2024, 2, 3), date(2024, 2, 27))
        assert split.use_rollup is False
        assert split.partial == ((at(2024, 2, 3), at(2024, 2, 28)),)

    def test_adjacent_partial_months_without_a_whole_one(self):
        split = split_range(date(2024, 1, 20), date(2024, 2, 10))
        assert split.use_rollup is False
        assert split.partial == ((at(2024, 1, 20), at(2024, 2, 11)),)

    def test_open_ended_ranges(self):
        since = split_range(date(2024, 12, 15), None)
        assert (since.whole_from, since.whole_to) == (date(2025, 1, 1), None)
        assert since.partial == ((at(2024, 12, 15), at(2025, 1, 1)),)
        until = split_range(None, date(2024, 2, 29))
        assert (until.whole_from, until.whole_to, until.partial) == (None, date(2024, 3, 1), ())
