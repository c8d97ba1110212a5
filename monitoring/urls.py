from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("fale/<int:pk>/", views.wave_statistics, name="wave"),
    path("fale/<int:pk>/pobierz/", views.download_table, name="download"),
    path("fale/<int:pk>/eksport/", views.export_table, name="export"),
    path("fale/<int:pk>/mikrodane/", views.export_microdata, name="microdata"),
    path("mikrodane/", views.export_microdata_all, name="microdata-all"),
    path("ankiety/", views.my_surveys, name="my-surveys"),
    path("ankiety/<int:wave_pk>/<str:krs>/", views.fill, name="fill"),
    path("obsluga/", views.staff_waves, name="staff-waves"),
    path("obsluga/fale/<int:pk>/", views.staff_wave, name="staff-wave"),
    path("obsluga/fale/<int:pk>/sprzecznosci/", views.staff_contradictions, name="staff-contradictions"),
    path("obsluga/fale/<int:pk>/import/", views.staff_import, name="import"),
    path("obsluga/fale/<int:pk>/import/<int:import_id>/", views.import_status, name="import-status"),
    path("obsluga/fale/<int:pk>/import/<int:import_id>/postep/", views.import_progress, name="import-progress"),
    path("obsluga/odpowiedzi/<int:pk>/weryfikacja/", views.staff_verify, name="staff-verify"),
]
