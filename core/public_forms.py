"""Protection shared by the public forms anyone may submit (error reports, inquiries, training registration,
certificate look-ups): a per-address submission limit counted in the shared cache, and a honeypot field.

One mechanism for every form, so a fix (say, to how the client address is read) reaches all of them.
"""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .proxies import client_ip


def rate_limited(request, scope: str, *, rate: tuple[int, int] | None = None) -> bool:
    """Counts one submission of `scope` for the client's address; True once the window's limit is passed.

    `rate` is (submissions, seconds); the default is `PORTAL_PUBLIC_FORM_RATE`. Call it only for complete,
    valid submissions, so that a person correcting typos is not locked out.
    """
    limit, window = rate or settings.PORTAL_PUBLIC_FORM_RATE
    key = f"public-form:rate:{scope}:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit


class HoneypotMixin(forms.Form):
    """Bots fill every field; people never see this one (hidden by CSS and from assistive technology).

    Templates render the field named `website_url` inside `<div class="honeypot" aria-hidden="true">`.
    """

    website_url = forms.CharField(required=False, label=_("Nie wypełniaj tego pola"))

    def clean_website_url(self):
        if self.cleaned_data.get("website_url"):
            raise forms.ValidationError(_("Formularz wygląda na wysłany automatycznie."))
        return ""
