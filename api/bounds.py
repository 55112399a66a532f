"""Bounds on what a request may ask for, so that no value reaches SQL or date arithmetic
that would overflow there (a 500) instead of being refused here (a 422 naming it)."""

import datetime as dt

import flask_smorest
from marshmallow import fields, validate

# page * page_size is the SQL OFFSET: 1,000,000 pages of at most 500 rows stay far below
# any integer limit, and no export is that long.
MAX_PAGE = 1_000_000

# Every date PostgreSQL and Python share, less the last year: the reports work with the
# day and the month after `to`, which Python cannot represent after 9999-12-31.
FIRST_DATE = dt.date(1, 1, 1)
LAST_DATE = dt.date(9998, 12, 31)

# Ids are PostgreSQL INTEGERs; a path outside 1..MAX_ID does not match the route (404).
MAX_ID = 2_147_483_647

PAGINATION_HEADER_DOC = {
    "description": "Pagination metadata: a JSON object serialised as the header's text, "
    "with total, total_pages and, when the page exists, first_page, last_page, page, "
    "previous_page and next_page.",
    "schema": {"type": "string"},
    "example": '{"total": 40, "total_pages": 1, "first_page": 1, "last_page": 1, "page": 1}',
}


class BoundedDate(fields.Date):
    """An ISO date within FIRST_DATE..LAST_DATE."""

    def __init__(self, **kwargs) -> None:
        bounds = validate.Range(
            min=FIRST_DATE,
            max=LAST_DATE,
            error=f"must be a date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}",
        )
        super().__init__(validate=bounds, **kwargs)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with a bounded page number and X-Pagination documented as
    the JSON text it is (flask-smorest documents it as an object, which OpenAPI reads as
    comma-separated key,value pairs)."""

    def paginate(self, pager=None, *, page=None, page_size=None, max_page_size=None):
        decorate = super().paginate(
            pager, page=page, page_size=page_size, max_page_size=max_page_size
        )

        def bounded(view):
            wrapper = decorate(view)
            # The same schema class documents and parses the page: bound it in both at once.
            schema = wrapper._apidoc["pagination"]["parameters"]["schema"]
            schema._declared_fields["page"].validators.append(validate.Range(max=MAX_PAGE))
            return wrapper

        return bounded

    def _document_pagination_metadata(self, spec, resp_doc):
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = PAGINATION_HEADER_DOC
