"""Pagination parameters: validated, capped, and never silently replaced."""

import pytest
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.pagination import PortalPageNumberPagination


def paginate(items, query):
    request = Request(APIRequestFactory().get("/items/", query))
    paginator = PortalPageNumberPagination()
    return paginator, paginator.paginate_queryset(items, request)


def test_pages_and_sizes():
    items = list(range(45))
    paginator, page = paginate(items, {})
    assert page == items[:20]
    paginator, page = paginate(items, {"page": "3", "page_size": "20"})
    assert page == items[40:]
    response = paginator.get_paginated_response(page)
    assert list(response.data) == ["count", "next", "previous", "results"]
    assert response.data["count"] == 45
    assert response.data["next"] is None
    assert paginate(items, {"page": "last", "page_size": "10"})[1] == items[40:]
    assert paginate(items, {"page": "", "page_size": ""})[1] == items[:20]
    assert paginate(items, {"page_size": "100"})[1] == items


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-5"}, "page_size"),
        ({"page_size": "9" * 5000}, "page_size"),
        ({"page_size": "2.5"}, "page_size"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "1.0"}, "page"),
        ({"page": "9" * 5000}, "page"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(query, field):
    with pytest.raises(ValidationError) as error:
        paginate(list(range(5)), query)
    assert list(error.value.detail) == [field]


def test_both_bad_parameters_are_reported_together():
    with pytest.raises(ValidationError) as error:
        paginate(list(range(5)), {"page": "x", "page_size": "y"})
    assert set(error.value.detail) == {"page", "page_size"}


def test_a_page_past_the_end_is_404():
    with pytest.raises(NotFound) as error:
        paginate(list(range(5)), {"page": "2"})
    assert "ostatnia strona ma numer 1" in str(error.value.detail)


def test_an_empty_list_has_an_empty_first_page():
    paginator, page = paginate([], {})
    assert page == []
    assert paginator.get_paginated_response(page).data["count"] == 0
