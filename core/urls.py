from django.urls import path

from . import search_views, views

app_name = "core"

urlpatterns = [
    path("deklaracja-dostepnosci/", views.accessibility_statement, name="accessibility-statement"),
    path("tekst-latwy-do-czytania/", views.easy_to_read, name="easy-to-read"),
    path("jezyk-migowy/", views.sign_language, name="sign-language"),
    path("kontakt/", views.contact, name="contact"),
    path("prywatnosc/", views.privacy, name="privacy"),
    path("szukaj/", search_views.search, name="search"),
    path("szukaj/podpowiedzi/", search_views.suggestions, name="search-suggestions"),
    path("ustawienia-wyswietlania/", views.display_settings, name="display-settings"),
]
