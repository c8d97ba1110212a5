"""Form helpers shared by the apps."""

from django.db import models


def https_formfield(db_field: models.Field, **kwargs):
    """ModelForm field factory: a URL typed without a scheme ("spoldzielnia.pl") is taken as https, as Django 6
    will do by default (and without its deprecation warning now)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)
