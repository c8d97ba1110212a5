"""Text size and contrast chosen by the visitor, kept in a cookie and applied on the server as classes of <html>
(no JavaScript needed, no flash of the default look). The choice is a preference, not personal data: the cookie
holds only the two values below."""

from django.conf import settings

COOKIE_NAME = "portal_display"
TEXT_SIZES = ("normal", "large", "larger")
CONTRASTS = ("normal", "high")
DEFAULT = {"text": "normal", "contrast": "normal"}


def read(request) -> dict:
    """The visitor's choice; anything unknown in the cookie counts as the default."""
    raw = request.COOKIES.get(COOKIE_NAME, "")
    text, _, contrast = raw.partition("-")
    return {
        "text": text if text in TEXT_SIZES else DEFAULT["text"],
        "contrast": contrast if contrast in CONTRASTS else DEFAULT["contrast"],
    }


def html_classes(choice: dict) -> str:
    classes = []
    if choice["text"] != DEFAULT["text"]:
        classes.append(f"text-{choice['text']}")
    if choice["contrast"] != DEFAULT["contrast"]:
        classes.append(f"contrast-{choice['contrast']}")
    return " ".join(classes)


def store(response, choice: dict) -> None:
    if choice == DEFAULT:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return
    response.set_cookie(
        COOKIE_NAME,
        f"{choice['text']}-{choice['contrast']}",
        max_age=settings.PORTAL_DISPLAY_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
