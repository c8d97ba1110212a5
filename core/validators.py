"""What text a user may type. Every text input of the portal gets one of these two validators automatically
(core/inputs.py); call them directly only for text that arrives outside a form, serializer or model field."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 controls (tab, line feed and carriage return among them), DEL, C1 controls (NEL among them), and the Unicode
# line and paragraph separators: everything that breaks a line or that no keyboard types.
_SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same less tab, line feed and carriage return, which multi-line text needs.
_MULTI_LINE_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CODE = "control_characters"


@deconstructible
class SingleLineValidator:
    """One-line text (names, titles, subjects, numbers typed as text): no line breaks, tabs or other control
    characters. Such text ends up in e-mail headers, file names, CSV cells and log lines."""

    message = _("Wpisz tekst w jednym wierszu, bez znaków sterujących (podziału wiersza, tabulatora ani znaku NUL).")

    def __call__(self, value) -> None:
        if isinstance(value, str) and _SINGLE_LINE_FORBIDDEN.search(value):
            raise ValidationError(self.message, code=CODE)

    def __eq__(self, other):
        return isinstance(other, SingleLineValidator)

    def __hash__(self):
        return hash(SingleLineValidator)


@deconstructible
class MultiLineValidator:
    """Multi-line text (descriptions, messages): line breaks and tabs are fine, other control characters are not
    (PostgreSQL cannot even store NUL)."""

    message = _("Tekst zawiera niedozwolone znaki sterujące (np. znak NUL). Usuń je i spróbuj ponownie.")

    def __call__(self, value) -> None:
        if isinstance(value, str) and _MULTI_LINE_FORBIDDEN.search(value):
            raise ValidationError(self.message, code=CODE)

    def __eq__(self, other):
        return isinstance(other, MultiLineValidator)

    def __hash__(self):
        return hash(MultiLineValidator)


validate_single_line = SingleLineValidator()
validate_multi_line = MultiLineValidator()


def one_line(text) -> str:
    """Any text made one line: each run of control characters and white space becomes one space. For text that is
    put into a single-line place (an e-mail subject) and may come from data stored before validation existed."""
    return " ".join(_SINGLE_LINE_FORBIDDEN.sub(" ", str(text)).split())
