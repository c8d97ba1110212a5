from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("deklaracja-dostepnosci/", views.accessibility_statement, name="accessibility-statement"),
]
