"""The focus of a campaign item, chosen from hand-made histories."""

from datetime import datetime, timedelta

from pipelines.campaigns.focus import OVERALL, Focus, choose_focus
from repository.model import Interaction

DAY0 = datetime(2024, 6, 1, 9, 0)
COLD = {"Red": "Red topic", OVERALL: "Everyone's topic"}


def item(id_, days, topic, sentiment="Positive"):
    return Interaction(id_, 7, DAY0 + timedelta(days=days), "Email", topic, sentiment, "Sand")


class TestFollowUp:
    def test_the_latest_negative_within_90_days_of_the_last_contact_wins(self):
        history = [item(1, 0, "A", "Negative"), item(2, 50, "B", "Negative"), item(3, 100, "C")]
        assert choose_focus(history, "Red", COLD) == Focus("B", "follow_up")

    def test_a_negative_older_than_90_days_before_the_last_contact_does_not_count(self):
        history = [item(1, 0, "A", "Negative"), item(2, 91, "B"), item(3, 91, "B")]
        assert choose_focus(history, "Red", COLD) == Focus("B", "most_discussed")

    def test_exactly_90_days_still_counts(self):
        history = [item(1, 0, "A", "Negative"), item(2, 90, "B")]
        assert choose_focus(history, "Red", COLD) == Focus("A", "follow_up")

    def test_two_negatives_at_the_same_time_the_higher_id_wins(self):
        history = [item(9, 10, "Late id", "Negative"), item(4, 10, "Early id", "Negative")]
        assert choose_focus(history, "Red", COLD).topic == "Late id"

    def test_a_negative_without_topic_is_ignored(self):
        history = [item(1, 10, None, "Negative"), item(2, 5, "A")]
        assert choose_focus(history, "Red", COLD) == Focus("A", "most_discussed")


class TestMostDiscussed:
    def test_the_topic_with_most_interactions_wins(self):
        history = [item(1, 0, "A"), item(2, 1, "A"), item(3, 2, "B")]
        assert choose_focus(history, "Red", COLD) == Focus("A", "most_discussed")

    def test_a_tie_goes_to_the_topic_discussed_most_recently(self):
        history = [item(1, 0, "A"), item(2, 5, "B"), item(3, 1, "A"), item(4, 6, "B")]
        assert choose_focus(history, "Red", COLD).topic == "B"

    def test_a_tie_on_count_and_recency_goes_to_the_first_name_by_code_point(self):
        history = [item(1, 3, "b"), item(2, 3, "B"), item(3, 3, "a")]
        assert choose_focus(history, "Red", COLD).topic == "B"  # "B" < "a" < "b"


class TestColdStart:
    def test_no_history_takes_the_topic_of_the_customer_type(self):
        assert choose_focus([], "Red", COLD) == Focus("Red topic", "cold_start_type")

    def test_a_history_without_topics_is_no_history(self):
        assert choose_focus([item(1, 0, None)], "Red", COLD).reason == "cold_start_type"

    def test_a_type_with_no_recent_topic_falls_back_to_everyone(self):
        assert choose_focus([], "Blue", COLD) == Focus("Everyone's topic", "cold_start_overall")

    def test_no_topic_anywhere_is_no_focus(self):
        assert choose_focus([], "Blue", {}) == Focus(None, "none")
