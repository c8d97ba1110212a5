from django.urls import path, re_path

from . import views

app_name = "trainings"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("rezygnacja/<str:signature>/", views.cancel, name="cancel"),
    path("potwierdzenie/<str:signature>/", views.confirm_email, name="confirm-email"),
    path("zaswiadczenia/weryfikacja/", views.certificate_lookup, name="certificate-lookup"),
    path("zaswiadczenia/weryfikacja/<uuid:code>/", views.certificate_verify, name="certificate-verify"),
    path("zaswiadczenia/pobierz/<uuid:token>/", views.certificate_download, name="certificate-download"),
    # Organisers and ministry staff.
    path("panel/", views.panel, name="panel"),
    path("<int:pk>/status/", views.training_status, name="status"),
    path("<int:pk>/zakoncz/", views.training_complete, name="complete"),
    path("<int:pk>/zakoncz/cofnij/", views.training_complete_undo, name="complete-undo"),
    path("<int:pk>/uczestnicy/", views.participants, name="participants"),
    re_path(r"^(?P<pk>\d+)/uczestnicy\.(?P<fmt>csv|xlsx)$", views.participants_export, name="participants-export"),
    path("<int:pk>/zgloszenia/<int:enrolment_pk>/potwierdz/", views.enrolment_confirm, name="enrolment-confirm"),
    path("<int:pk>/sesje/<int:session_pk>/obecnosc/", views.attendance, name="attendance"),
    path("<int:pk>/zaswiadczenia/", views.certificates, name="certificates"),
    path("<int:pk>/zaswiadczenia.zip", views.certificates_zip, name="certificates-zip"),
    path("<int:pk>/zaswiadczenia/<int:certificate_pk>.pdf", views.certificate_pdf, name="certificate-pdf"),
    # Ministry staff.
    path("raporty/", views.reports, name="reports"),
    re_path(r"^raporty/(?P<report>grupy|powiaty)\.(?P<fmt>csv|xlsx)$", views.reports_export, name="reports-export"),
    path("dane-osobowe/", views.personal_data, name="personal-data"),
]
