from django.urls import path

from . import views

app_name = "publications"

urlpatterns = [
    path("", views.index, name="index"),
    path("cytowania.<str:fmt>", views.list_citations, name="list-citations"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/cytowanie.<str:fmt>", views.citation, name="citation"),
    path("<slug:slug>/pobierz/<int:pk>/", views.download, name="download"),
]
