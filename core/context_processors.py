from django.conf import settings


def portal(request):
    """Values every template may use (the demo-data banner, the admin path, the visitor's text size and contrast,
    the site's name and public address for canonical links)."""
    from cooperatives.selectors import registry_has_demo_data

    from . import display

    choice = display.read(request)
    return {
        "DISPLAY": choice,
        "DISPLAY_CLASSES": display.html_classes(choice),
        "PORTAL_HAS_DEMO_DATA": registry_has_demo_data(),
        "ADMIN_URL": settings.ADMIN_URL,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.BASE_URL.rstrip("/"),
    }
