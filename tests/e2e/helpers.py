"""Small page helpers shared by the browser tests."""

import re
import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def fill_form(page, data: dict, *, scope: str = "form[method=post]") -> None:
    """Fills fields by name whatever their widget is (text, select, radio, checkbox)."""
    form = page.locator(scope).last
    for name, value in data.items():
        field = form.locator(f'[name="{name}"]')
        kind = field.first.evaluate("el => el.tagName.toLowerCase() + ':' + (el.type || '')")
        if kind.startswith("select"):
            field.select_option(str(value))
        elif kind.endswith(":radio"):
            form.locator(f'[name="{name}"][value="{value}"]').check()
        elif kind.endswith(":checkbox"):
            if value in ("on", True):
                field.check()
            else:
                field.uncheck()
        else:
            field.fill(str(value))


def last_link_in(message) -> str:
    """The path of the last http(s) link of an e-mail body (the live server's host is not the browser's concern)."""
    return re.findall(r"https?://[^/\s]+(/\S+)", message.body)[-1]


def current_totp_code(secret: str) -> str:
    """The code an authenticator app would show now for this secret."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))
