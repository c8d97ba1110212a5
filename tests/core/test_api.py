"""API plumbing: JSON errors and query-parameter validation."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from rest_framework import exceptions

from core.api import exception_handler
from core.params import split_nul_params

pytestmark = pytest.mark.django_db


def test_django_validation_errors_become_400_with_messages_per_field():
    response = exception_handler(DjangoValidationError({"krs_number": ["Zły numer."]}), {})
    assert (response.status_code, response.data) == (400, {"krs_number": ["Zły numer."]})
    response = exception_handler(DjangoValidationError("Coś nie tak."), {})
    assert response.data == {"detail": ["Coś nie tak."]}


def test_a_bare_list_of_messages_is_wrapped_in_an_object():
    response = exception_handler(exceptions.ValidationError(["Błąd."]), {})
    assert response.data == {"detail": ["Błąd."]}


def test_other_exceptions_are_left_to_django():
    assert exception_handler(RuntimeError("bug"), {}) is None


def test_split_nul_params_removes_only_the_bad_parameters():
    data = QueryDict("search=ab%00c&voivodeship=10&status=active&status=%00")
    clean, errors = split_nul_params(data)
    assert clean.dict() == {"voivodeship": "10"}
    assert errors == {
        "search": ["Wartość zawiera niedozwolony znak NUL."],
        "status": ["Wartość zawiera niedozwolony znak NUL."],
    }
    assert data.get("search") == "ab\x00c"  # the request's own data is not changed


def test_split_nul_params_returns_clean_data_unchanged():
    data = QueryDict("search=spoldzielnia")
    clean, errors = split_nul_params(data)
    assert clean is data
    assert errors == {}
