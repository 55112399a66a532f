from api.errors import describe_validation_errors


class TestDescribeValidationErrors:
    def test_names_the_query_parameter_and_its_problem(self):
        message = describe_validation_errors({"query": {"page": ["Must be at least 1."]}})
        assert message == "Invalid request: query parameter 'page': Must be at least 1."

    def test_lists_every_field_of_every_location(self):
        message = describe_validation_errors(
            {"query": {"from": ["Not a valid date."]}, "json": {"name": ["Missing data."]}}
        )
        assert "query parameter 'from': Not a valid date." in message
        assert "field 'name': Missing data." in message

    def test_nested_problems_are_flattened(self):
        message = describe_validation_errors({"json": {"items": {0: ["Not a valid integer."]}}})
        assert "field 'items': 0: Not a valid integer." in message
