"""Signed-in pages: a representative's dashboard and editing, buyer inquiries, error reports, moderation."""

from django.urls import path, re_path

from . import selfservice_views as views

app_name = "selfservice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("zapytanie/", views.inquiry, name="inquiry"),
    re_path(r"^zglos-blad/(?P<krs>\d{10})/$", views.report_error, name="report-error"),
]
