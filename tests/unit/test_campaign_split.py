"""The A/B split of a campaign's customers over prompt versions."""

import hashlib
from collections import Counter

from pipelines.campaigns.service import cold_start_topics
from pipelines.campaigns.split import assign_version

VERSIONS = ("email/v1", "email/v2")


class TestAssignVersion:
    def test_the_same_customer_always_gets_the_same_version(self):
        first = [assign_version(3, customer, VERSIONS) for customer in range(1, 500)]
        again = [assign_version(3, customer, VERSIONS) for customer in range(1, 500)]
        assert first == again

    def test_the_split_follows_the_documented_sha256_rule(self):
        for customer in (1, 2, 77, 2147483647):
            digest = hashlib.sha256(f"campaign:5:customer:{customer}".encode()).hexdigest()
            expected = VERSIONS[int(digest[:16], 16) % 2]
            assert assign_version(5, customer, VERSIONS) == expected

    def test_arms_are_roughly_even(self):
        counts = Counter(assign_version(11, customer, VERSIONS) for customer in range(1, 10_001))
        assert set(counts) == set(VERSIONS)
        assert all(4_700 <= n <= 5_300 for n in counts.values())

    def test_three_arms_are_roughly_even_too(self):
        versions = ("email/v1", "email/v2", "email/v3")
        counts = Counter(assign_version(2, customer, versions) for customer in range(1, 9_001))
        assert all(2_800 <= n <= 3_200 for n in counts.values())

    def test_campaigns_shuffle_customers_differently(self):
        a = [assign_version(1, customer, VERSIONS) for customer in range(1, 200)]
        b = [assign_version(2, customer, VERSIONS) for customer in range(1, 200)]
        assert a != b

    def test_one_version_is_everyone_s(self):
        assert {assign_version(1, customer, ("email/v1",)) for customer in range(50)} == {
            "email/v1"
        }


class TestColdStartTopics:
    def test_most_uses_then_latest_use_per_type_and_overall(self):
        from datetime import datetime

        early, late = datetime(2024, 1, 1), datetime(2024, 2, 1)
        rows = [
            ("Red", "A", 3, early),
            ("Red", "B", 3, late),
            ("Blue", "C", 1, early),
            (None, "A", 5, early),
            (None, "B", 4, late),
        ]
        assert cold_start_topics(rows) == {"Red": "B", "Blue": "C", "*": "A"}
