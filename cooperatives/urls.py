from django.urls import path, re_path

from . import opendata_views, shortlist_views, views

app_name = "cooperatives"

urlpatterns = [
    path("", views.home, name="home"),
    path("spoldzielnie/", views.cooperative_list, name="list"),
    re_path(r"^spoldzielnie/(?P<krs>\d{10})/$", views.cooperative_detail, name="detail"),
    path("spoldzielnie/wybrane/", shortlist_views.shortlist_page, name="shortlist"),
    path("spoldzielnie/wybrane/dodaj/", shortlist_views.shortlist_add, name="shortlist-add"),
    path("spoldzielnie/wybrane/usun/", shortlist_views.shortlist_remove, name="shortlist-remove"),
    path("spoldzielnie/wybrane/wyczysc/", shortlist_views.shortlist_clear, name="shortlist-clear"),
    re_path(
        r"^spoldzielnie/wybrane/kontakty\.(?P<fmt>csv|xlsx)$", shortlist_views.shortlist_export, name="shortlist-export"
    ),
    path("oferty/", views.offer_list, name="offers"),
    path("oferty/<int:pk>/", views.offer_detail, name="offer-detail"),
    path("mapa/", views.map_view, name="map"),
    path("mapa/dane.json", views.map_data, name="map-data"),
    path("open-data/", opendata_views.open_data, name="open-data"),
    re_path(
        r"^open-data/cooperatives\.(?P<fmt>csv|xlsx|json|geojson)$",
        opendata_views.open_data_cooperatives,
        name="open-data-cooperatives",
    ),
    re_path(r"^open-data/offers\.(?P<fmt>csv|xlsx|json)$", opendata_views.open_data_offers, name="open-data-offers"),
]
