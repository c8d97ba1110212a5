from django.urls import path

from . import views

app_name = "exportjobs"

urlpatterns = [
    path("", views.start, name="start"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/stan/", views.status, name="status"),
    path("<uuid:pk>/pobierz/", views.download, name="download"),
]
