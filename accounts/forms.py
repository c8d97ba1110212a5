from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .tokens import WRITE_SCOPES


class ApiTokenForm(forms.Form):
    """A new API token: a name to recognise it by, what it may write (it may always read), how long it lives."""

    name = forms.CharField(
        label=_("Nazwa tokenu"), max_length=100, help_text=_("Np. nazwa programu, który będzie go używał.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Co token może zmieniać"),
        choices=[(scope.value, scope.label) for scope in WRITE_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Bez zaznaczenia token pozwala tylko czytać."),
    )
    days = forms.IntegerField(
        label=_("Ważny przez (dni)"),
        min_value=1,
        max_value=settings.PORTAL_API_TOKEN_MAX_DAYS,
        initial=settings.PORTAL_API_TOKEN_DEFAULT_DAYS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].help_text = gettext("Od 1 do %(max)d dni.") % {"max": settings.PORTAL_API_TOKEN_MAX_DAYS}
