from django.urls import path, re_path

from . import opendata_views, views

app_name = "cooperatives"

urlpatterns = [
    path("", views.home, name="home"),
    path("spoldzielnie/", views.cooperative_list, name="list"),
    re_path(r"^spoldzielnie/(?P<krs>\d{10})/$", views.cooperative_detail, name="detail"),
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
