"""Signed-in pages: a representative's dashboard and editing, buyer inquiries, error reports, moderation."""

from django.urls import path, re_path

from accounts import views as accounts_views

from . import selfservice_views as views

app_name = "selfservice"

KRS = r"(?P<krs>\d{10})"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("zapytanie/", views.inquiry, name="inquiry"),
    path("gminy.json", views.territory_options, name="territory-options"),
    path("zapytania/<int:pk>/", views.inquiry_detail, name="inquiry-detail"),
    path("zapytania/<int:pk>/wynik/", views.inquiry_result, name="inquiry-result"),
    re_path(rf"^zglos-blad/{KRS}/$", views.report_error, name="report-error"),
    path("reprezentacja/", views.representation_request, name="representation-request"),
    path("reprezentacja/potwierdz/<str:token>/", views.representation_confirm, name="representation-confirm"),
    re_path(rf"^spoldzielnia/{KRS}/$", views.cooperative_edit, name="cooperative-edit"),
    re_path(rf"^spoldzielnia/{KRS}/potwierdz-dane/$", views.confirm_data, name="confirm-data"),
    re_path(rf"^spoldzielnia/{KRS}/zmiana-danych/$", views.change_request_create, name="change-request"),
    re_path(rf"^spoldzielnia/{KRS}/oferty/nowa/$", views.offer_create, name="offer-create"),
    re_path(rf"^spoldzielnia/{KRS}/zdjecia/$", views.photos, name="photos"),
    re_path(rf"^spoldzielnia/{KRS}/przedstawiciele/$", views.members, name="members"),
    re_path(rf"^spoldzielnia/{KRS}/historia/$", views.history, name="history"),
    path("oferty/<int:pk>/", views.offer_edit, name="offer-edit"),
    path("oferty/<int:pk>/usun/", views.offer_delete, name="offer-delete"),
    path("zdjecia/<int:pk>/usun/", views.photo_delete, name="photo-delete"),
    path("przedstawiciele/<int:pk>/usun/", views.member_remove, name="member-remove"),
    path("zaproszenia/<int:pk>/anuluj/", views.invitation_cancel, name="invitation-cancel"),
    path("zaproszenie/<str:token>/", views.invitation_accept, name="invitation-accept"),
    re_path(
        r"^historia/(?P<model>spoldzielnia|oferta)/(?P<history_id>\d+)/przywroc/$",
        views.history_revert,
        name="history-revert",
    ),
    # The user's own API tokens (accounts app; in the panel's namespace, where the dashboard links to them).
    path("token-api/", accounts_views.api_tokens, name="api-token"),
    path("token-api/<int:pk>/odwolaj/", accounts_views.api_token_revoke, name="api-token-revoke"),
    path("moderacja/", views.moderation_desk, name="moderation"),
    path("moderacja/wnioski/<int:pk>/", views.representation_review, name="representation-review"),
    path("moderacja/wnioski/<int:pk>/dokument/", views.representation_document, name="representation-document"),
    path("moderacja/zmiany/<int:pk>/", views.change_review, name="change-review"),
    path("moderacja/bledy/<int:pk>/rozpatrz/", views.error_report_resolve, name="error-resolve"),
    path("moderacja/nieaktualne/", views.stale_list, name="stale"),
]
