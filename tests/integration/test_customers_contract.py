"""One contract, two implementations: customers in memory behave like customers in PostgreSQL."""

from datetime import datetime

import pytest

from repository.customer_history_postgres import PostgresCustomerHistoryRepository
from repository.customers import PostgresCustomerRepository
from repository.engine import build_engine
from repository.errors import InvalidInput, NotFound
from repository.model import Customer, Interaction
from tests.fakes import InMemoryCustomerHistoryRepository, InMemoryCustomerRepository
from tests.support import seed_clean_rows

# Customer 5 has no type; customer 4 has interactions but no customer row; customer 3
# has a row but no interactions. Interactions 11 and 12 happen at the same minute.
CUSTOMERS = [
    (1, "Jedi", "Red"),
    (2, "Batman", "Orange"),
    (3, "Santa Claus", "Blue"),
    (5, None, None),
    (6, "Baker", "Red"),
]
PRODUCT_MONTHS = [("2019-10-01", "Glass"), ("2020-02-01", "Sand")]
# (customer_id, id, occurred_at, channel, topic, sentiment, product of its month)
INTERACTIONS = [
    (1, 10, datetime(2019, 10, 4, 9), "Email", "Drug Interaction Concerns", "Negative", "Glass"),
    (1, 11, datetime(2020, 2, 11, 16, 10), "Call", "Side Effects Discussion", "Positive", "Sand"),
    (1, 12, datetime(2020, 2, 11, 16, 10), "Email", None, None, "Sand"),
    (4, 13, datetime(2020, 3, 5, 11, 23), "Bird", "Drug Efficacy", None, "Unknown"),
    (2, 14, datetime(2019, 1, 15, 8), "Post", None, None, "Unknown"),
]


def interaction(interaction_id: int) -> Interaction:
    ((customer_id, id_, *rest),) = [r for r in INTERACTIONS if r[1] == interaction_id]
    return Interaction(id_, customer_id, *rest)


def seed_postgres(url: str) -> None:
    rows = [(id_, customer_id, *rest[:-1]) for customer_id, id_, *rest in INTERACTIONS]
    seed_clean_rows(url, CUSTOMERS, PRODUCT_MONTHS, rows)


@pytest.fixture(params=["memory", "postgres"])
def repositories(request):
    """(customers, customer histories) over the same rows, in memory or in PostgreSQL."""
    if request.param == "memory":
        rows = (
            [Customer(i, occupation, kind or "Unknown") for i, occupation, kind in CUSTOMERS],
            [interaction(row[1]) for row in INTERACTIONS],
        )
        yield InMemoryCustomerRepository(*rows), InMemoryCustomerHistoryRepository(*rows)
        return
    url = request.getfixturevalue("database_url")
    seed_postgres(url)
    engine = build_engine(url)
    yield PostgresCustomerRepository(engine), PostgresCustomerHistoryRepository(engine)
    engine.dispose()


@pytest.fixture
def customers(repositories):
    return repositories[0]


@pytest.fixture
def histories(repositories):
    return repositories[1]


def ids(customers: list[Customer]) -> list[int]:
    return [customer.customer_id for customer in customers]


class TestListingCustomers:
    def test_every_customer_comes_ordered_by_id_with_the_total(self, customers):
        page, total = customers.list_customers(None, page=1, page_size=50)
        assert ids(page) == [1, 2, 3, 4, 5, 6]
        assert total == 6

    def test_a_later_page_holds_the_rest_and_the_same_total(self, customers):
        assert customers.list_customers(None, page=2, page_size=4) == (
            [Customer(5, None, "Unknown"), Customer(6, "Baker", "Red")],
            6,
        )

    def test_a_page_past_the_end_is_empty_but_keeps_the_total(self, customers):
        assert customers.list_customers(None, page=3, page_size=4) == ([], 6)

    @pytest.mark.parametrize("name", ["Red", "red", "RED", " rEd "])
    def test_the_type_filter_ignores_case(self, customers, name):
        page, total = customers.list_customers(name, page=1, page_size=50)
        assert ids(page) == [1, 6] and total == 2
        assert {customer.customer_type for customer in page} == {"Red"}

    def test_unknown_covers_customers_without_a_type_or_without_a_row(self, customers):
        assert customers.list_customers("unknown", page=1, page_size=50) == (
            [Customer(4, None, "Unknown"), Customer(5, None, "Unknown")],
            2,
        )

    def test_the_types_a_filter_may_name_include_unknown(self, customers):
        assert customers.customer_types() == {"Red", "Orange", "Blue", "Unknown"}

    @pytest.mark.parametrize("name", ["Purple", "", "Red;DROP TABLE x"])
    def test_a_type_nobody_has_is_invalid_input_naming_the_customer_type(self, customers, name):
        with pytest.raises(InvalidInput, match="type") as raised:
            customers.list_customers(name, page=1, page_size=50)
        assert raised.value.field == "customer_type"

    @pytest.mark.parametrize(("page", "page_size"), [(0, 10), (1, 0), (-1, 10)])
    def test_a_page_or_size_below_one_is_invalid_input(self, customers, page, page_size):
        with pytest.raises(InvalidInput):
            customers.list_customers(None, page=page, page_size=page_size)


class TestGettingACustomer:
    def test_a_stored_customer_comes_with_its_values(self, customers):
        assert customers.get_customer(1) == Customer(1, "Jedi", "Red")

    def test_a_customer_without_a_type_is_unknown(self, customers):
        assert customers.get_customer(5) == Customer(5, None, "Unknown")

    def test_a_customer_known_only_from_interactions_exists_as_unknown(self, customers):
        assert customers.get_customer(4) == Customer(4, None, "Unknown")

    @pytest.mark.parametrize("customer_id", [99, 0, 2**40])
    def test_an_unknown_id_raises_not_found_naming_it(self, customers, customer_id):
        with pytest.raises(NotFound, match=str(customer_id)):
            customers.get_customer(customer_id)


class TestListingInteractions:
    def test_newest_come_first_and_ties_by_id_descending(self, histories):
        page, total = histories.page(1, page=1, page_size=50)
        assert [i.id for i in page] == [12, 11, 10]
        assert total == 3

    def test_each_carries_its_months_product_or_unknown(self, histories):
        assert histories.page(1, page=2, page_size=2) == ([interaction(10)], 3)
        assert histories.page(4, page=1, page_size=2) == ([interaction(13)], 1)

    def test_a_customer_known_only_from_interactions_has_them(self, histories):
        page, total = histories.page(4, page=1, page_size=50)
        assert [i.id for i in page] == [13] and total == 1

    def test_a_customer_without_interactions_has_an_empty_page(self, histories):
        assert histories.page(3, page=1, page_size=50) == ([], 0)

    def test_a_page_past_the_end_is_empty_but_keeps_the_total(self, histories):
        assert histories.page(1, page=9, page_size=2) == ([], 3)

    @pytest.mark.parametrize("page", [1, 5])
    def test_an_unknown_customer_raises_not_found(self, histories, page):
        with pytest.raises(NotFound, match="99"):
            histories.page(99, page=page, page_size=10)

    def test_a_page_below_one_is_invalid_input(self, histories):
        with pytest.raises(InvalidInput):
            histories.page(1, page=0, page_size=10)
