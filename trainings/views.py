"""Pages of the training records: a public calendar with registration, and panels for organisers and staff."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import is_ministry_staff
from core.public_forms import rate_limited
from exportjobs import registry as exportjobs
from exportjobs.views import offer_background

from . import exports, permissions, selectors, services
from .certificates import certificate_filename, hours_text
from .certificates import certificate_pdf as render_certificate_pdf
from .certificates import certificates_zip as build_zip
from .forms import (
    AttendanceForm,
    CertificateLookupForm,
    PersonalDataRequestForm,
    RegistrationForm,
    ReportForm,
    TrainingStatusForm,
)
from .models import Certificate, Enrolment, Training, TrainingSession

PAGE_SIZE = 20


def _posted(request):
    """The submitted data of a POST (even an empty one, which must show "required" errors), else None."""
    return request.POST if request.method == "POST" else None


def _page(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def index(request):
    """The public training calendar, filtered by voivodeship, dates, format and topic."""
    filterset = selectors.training_list(data=request.GET)
    trainings = filterset.qs if filterset.is_valid() else Training.objects.none()
    return render(
        request,
        "trainings/training_list.html",
        {
            "filterset": filterset,
            "page_obj": _page(request, trainings),
            "querystring": _querystring_without_page(request),
            "can_use_panel": permissions.can_use_organiser_panel(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def detail(request, pk):
    """A training's public page; while registration is open, the registration form."""
    try:
        training = selectors.training_detail(pk=pk)
    except Training.DoesNotExist:
        raise Http404 from None
    form = None
    if training.is_open_for_registration:
        form = RegistrationForm(_posted(request))
        if request.method == "POST" and form.is_valid():
            # Only complete submissions count towards the limit (core.public_forms, as for every public form).
            if rate_limited(request, "training-registration"):
                form.add_error(None, _("Wysłano zbyt wiele zgłoszeń z tego adresu. Spróbuj ponownie za godzinę."))
                return _detail_page(request, training, form, status=429)
            try:
                services.enrolment_register(training_id=training.pk, data=form.registration_data())
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Sprawdź skrzynkę e-mail: wysyłamy link, którym trzeba potwierdzić zgłoszenie (jest ważny "
                        "przez %(hours)s). Miejsce rezerwujemy dopiero po potwierdzeniu."
                    )
                    % {"hours": services.validity_text(settings.TRAININGS_CONFIRMATION_HOURS)},
                )
                return redirect(training)
    elif request.method == "POST":
        messages.error(request, _("Rejestracja na to szkolenie nie jest otwarta."))
        return redirect(training)
    return _detail_page(request, training, form)


def _detail_page(request, training, form, status=200):
    return render(
        request,
        "trainings/training_detail.html",
        {
            "training": training,
            "form": form,
            "seats_left": max(training.capacity - training.seats_taken, 0),
            "training_hours": hours_text(training.hours) if training.hours else "",
            "can_view_participants": permissions.can_view_participants(request.user, training),
        },
        status=status,
    )


def _attach_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_http_methods(["GET", "POST"])
def cancel(request, signature):
    """The cancellation link from the confirmation e-mail: GET asks, POST cancels (a link preview must not cancel)."""
    try:
        enrolment = services.enrolment_from_cancel_signature(signature)
    except Enrolment.DoesNotExist:
        return render(request, "trainings/enrolment_cancel_invalid.html", status=404)
    can_cancel = services.enrolment_can_be_cancelled(training=enrolment.training)
    if request.method == "POST" and enrolment.status != Enrolment.Status.CANCELLED and can_cancel:
        try:
            services.enrolment_cancel(enrolment_id=enrolment.pk)
        except ValidationError:
            can_cancel = False  # the training was completed or cancelled a moment ago
        enrolment.refresh_from_db()
    return render(
        request,
        "trainings/enrolment_cancel.html",
        {"enrolment": enrolment, "training": enrolment.training, "can_cancel": can_cancel},
    )


@require_http_methods(["GET", "POST"])
def confirm_email(request, signature):
    """The link of the confirmation e-mail: GET shows the registration, POST confirms it (a mail scanner opening
    the link must not take a seat on someone's behalf)."""
    try:
        enrolment = services.enrolment_from_confirm_signature(signature)
    except signing.SignatureExpired:
        return render(request, "trainings/enrolment_confirm_email.html", {"expired": True}, status=410)
    except Enrolment.DoesNotExist:
        return render(request, "trainings/enrolment_confirm_email.html", {"invalid": True}, status=404)
    error = None
    if request.method == "POST":
        try:
            enrolment = services.enrolment_confirm_email(enrolment_id=enrolment.pk)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "trainings/enrolment_confirm_email.html",
        {"enrolment": enrolment, "training": enrolment.training, "error": error},
        status=409 if error else 200,
    )


def certificate_verify(request, code):
    """Public: shows only validity, the training, its date and the participant's name."""
    try:
        certificate = selectors.certificate_for_verification(code=code)
    except Certificate.DoesNotExist:
        return render(request, "trainings/certificate_verify.html", {"certificate": None}, status=404)
    return render(request, "trainings/certificate_verify.html", {"certificate": certificate})


def certificate_lookup(request):
    """Public: the verification number typed from a paper certificate (any case, dashes optional). Rate-limited
    per client IP (TRAININGS_VERIFY_RATE), so numbers cannot be guessed in bulk."""
    form = CertificateLookupForm(request.GET if "numer" in request.GET else None)
    context = {"form": form, "certificate": None, "searched": False}
    status = 200
    if form.is_bound and form.is_valid():
        if rate_limited(request, "certificate-lookup", rate=settings.TRAININGS_VERIFY_RATE):
            form.add_error(None, _("Zbyt wiele sprawdzeń z tego adresu. Spróbuj ponownie za godzinę."))
            return render(request, "trainings/certificate_lookup.html", context, status=429)
        context["searched"] = True
        try:
            context["certificate"] = selectors.certificate_for_verification(short_code=form.cleaned_data["numer"])
        except Certificate.DoesNotExist:
            status = 404
    elif form.is_bound:
        status = 400
    return render(request, "trainings/certificate_lookup.html", context, status=status)


@require_http_methods(["GET", "POST"])
def certificate_download(request, token):
    """The participant's own link from the certificate e-mail: GET shows the certificate, POST downloads the PDF
    (and records the download). A link preview therefore never counts as a download."""
    try:
        certificate = selectors.certificate_for_download(token=token)
    except Certificate.DoesNotExist:
        return render(request, "trainings/certificate_download.html", {"certificate": None}, status=404)
    available = certificate.is_valid and not certificate.enrolment.participant.anonymised_at
    if request.method == "POST" and available:
        services.certificates_mark_downloaded(certificate_ids=[certificate.pk])
        return _pdf_response(certificate)
    return render(
        request,
        "trainings/certificate_download.html",
        {"certificate": certificate, "available": available},
        status=200 if available else 410,
    )


def _pdf_response(certificate) -> HttpResponse:
    response = HttpResponse(render_certificate_pdf(certificate=certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(certificate)}"'
    return response


# --- Organisers and staff --------------------------------------------------------------------------------


def _training_for(request, pk, predicate) -> Training:
    training = get_object_or_404(Training.objects.select_related("gmina", "programme"), pk=pk)
    if not predicate(request.user, training):
        raise PermissionDenied
    return training


@login_required
def panel(request):
    """The trainings a user organises (all of them for staff)."""
    if not permissions.can_use_organiser_panel(request.user):
        raise PermissionDenied
    trainings = selectors.organiser_trainings(user=request.user, is_staff=is_ministry_staff(request.user))
    return render(
        request,
        "trainings/panel.html",
        {"page_obj": _page(request, trainings), "can_view_reports": permissions.can_view_reports(request.user)},
    )


@login_required
def participants(request, pk):
    """Participant list of one training (personal data: organisers and staff only)."""
    training = _training_for(request, pk, permissions.can_view_participants)
    enrolments = selectors.training_participants(training=training)
    page_obj = _page(request, enrolments, per_page=100)
    for enrolment in page_obj:
        enrolment.is_eligible = selectors.enrolment_is_eligible(enrolment)
    return render(
        request,
        "trainings/participant_list.html",
        {
            "training": training,
            "page_obj": page_obj,
            "sessions": training.sessions.all(),
            "status_form": TrainingStatusForm(allowed=_status_choices(training)),
            "can_complete": Training.Status.COMPLETED in services.training_allowed_statuses(training=training),
        },
    )


def _status_choices(training) -> list[str]:
    # Completing has its own page (what will happen, then a confirmation), so it is not one click in a list.
    return [s for s in services.training_allowed_statuses(training=training) if s != Training.Status.COMPLETED]


@login_required
@require_POST
def training_status(request, pk):
    """Organisers open and close registration, complete or cancel their training."""
    training = _training_for(request, pk, permissions.can_manage_training)
    form = TrainingStatusForm(request.POST, allowed=_status_choices(training))
    if form.is_valid():
        try:
            training = services.training_set_status(
                training_id=training.pk, status=form.cleaned_data["status"], user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Status szkolenia: %(status)s.") % {"status": training.get_status_display()})
    else:
        messages.error(request, " ".join(form.errors["status"]))
    return redirect("trainings:participants", pk=training.pk)


@login_required
@require_http_methods(["GET", "POST"])
def training_complete(request, pk):
    """Completing a training: GET says what will happen (certificates, e-mails, how to undo), POST does it.
    Refused before the training has ended (the rule lives in the service)."""
    training = _training_for(request, pk, permissions.can_manage_training)
    blocker = services.training_completion_blocker(training=training)
    if request.method == "POST" and not blocker:
        try:
            issued = services.training_complete(training_id=training.pk, completed_by=request.user)
        except ValidationError as error:
            blocker = " ".join(error.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "Szkolenie zakończone. Wystawiono %(count)d zaświadczenie.",
                    "Szkolenie zakończone. Wystawiono %(count)d zaświadczenia.",
                    len(issued),
                )
                % {"count": len(issued)},
            )
            return redirect("trainings:certificates", pk=training.pk)
    return render(
        request,
        "trainings/training_complete.html",
        {
            "training": training,
            "blocker": blocker,
            "preview": selectors.completion_preview(training=training),
            "sessions": training.sessions.all(),
        },
        status=409 if blocker and request.method == "POST" else 200,
    )


@login_required
@require_POST
def training_complete_undo(request, pk):
    """Undo a completion while no certificate has been downloaded (certificates are deleted)."""
    training = _training_for(request, pk, permissions.can_manage_training)
    try:
        services.training_completion_undo(training_id=training.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Cofnięto zakończenie szkolenia. Wystawione zaświadczenia usunięto; status: rejestracja zamknięta."),
        )
    return redirect("trainings:participants", pk=training.pk)


@login_required
def participants_export(request, pk, fmt):
    training = _training_for(request, pk, permissions.can_view_participants)
    enrolments = selectors.training_participants(training=training).prefetch_related("attendances")
    header, rows = exports.participants_table(enrolments, sessions=training.sessions.all())
    return exports.export_response(
        fmt, header=header, rows=rows, filename=f"uczestnicy-szkolenia-{training.pk}", title=_("Uczestnicy")
    )


@login_required
@require_POST
def enrolment_confirm(request, pk, enrolment_pk):
    training = _training_for(request, pk, permissions.can_record_attendance)
    enrolment = get_object_or_404(Enrolment, pk=enrolment_pk, training=training)
    try:
        services.enrolment_confirm(enrolment_id=enrolment.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Zgłoszenie potwierdzone."))
    return redirect("trainings:participants", pk=training.pk)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request, pk, session_pk):
    """Attendance register of one session: every participant in one form, with a bulk "mark all" choice."""
    training = _training_for(request, pk, permissions.can_record_attendance)
    session = get_object_or_404(TrainingSession, pk=session_pk, training=training)
    form = AttendanceForm(_posted(request), enrolments=selectors.attendance_register(session=session))
    conflict = None
    if request.method == "POST" and form.is_valid():
        statuses, expected = form.changes()
        try:
            count = services.attendance_record(
                session=session, statuses=statuses, expected=expected, marked_by=request.user
            )
        except ValidationError as error:
            # Show the current state, so the organiser sees what changed before saving again.
            conflict = error.messages
            form = AttendanceForm(enrolments=selectors.attendance_register(session=session))
        else:
            messages.success(request, _("Zapisano obecność (zmienione wpisy: %(count)s).") % {"count": count})
            return redirect("trainings:attendance", pk=training.pk, session_pk=session.pk)
    return render(
        request,
        "trainings/attendance_form.html",
        {
            "training": training,
            "session": session,
            "form": form,
            "conflict": conflict,
            "sessions": training.sessions.all(),
        },
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificates(request, pk):
    """Issued certificates of a training; POST issues them to every eligible participant without one."""
    training = _training_for(request, pk, permissions.can_issue_certificates)
    if request.method == "POST":
        try:
            issued = services.certificates_issue(training_id=training.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext("Wystawiono %(count)d zaświadczenie.", "Wystawiono %(count)d zaświadczenia.", len(issued))
                % {"count": len(issued)},
            )
        return redirect("trainings:certificates", pk=training.pk)
    return render(
        request,
        "trainings/certificate_list.html",
        {
            "training": training,
            "certificates": selectors.training_certificates(training=training),
            "sessions": training.sessions.all(),
            "undo_blocker": services.training_completion_undo_blocker(training=training),
        },
    )


@login_required
def certificate_pdf(request, pk, certificate_pk):
    training = _training_for(request, pk, permissions.can_issue_certificates)
    certificate = get_object_or_404(selectors.training_certificates(training=training), pk=certificate_pk)
    services.certificates_mark_downloaded(certificate_ids=[certificate.pk])
    return _pdf_response(certificate)


@login_required
def certificates_zip(request, pk):
    """All certificates of a training in one ZIP; more than PORTAL_EXPORT_BACKGROUND_CERTIFICATES are offered as a
    background export (exportjobs)."""
    training = _training_for(request, pk, permissions.can_issue_certificates)
    certificates = list(selectors.training_certificates(training=training))
    if len(certificates) > settings.PORTAL_EXPORT_BACKGROUND_CERTIFICATES:
        return offer_background(
            request, kind="trainings.certificates", params={"training": training.pk}, rows=len(certificates)
        )
    handle = build_zip(certificates=certificates)
    services.certificates_mark_downloaded(certificate_ids=[certificate.pk for certificate in certificates])
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"zaswiadczenia-szkolenia-{training.pk}.zip",
        content_type="application/zip",
    )


# --- Ministry staff --------------------------------------------------------------------------------------


def _report_context(request):
    form = ReportForm(request.GET if request.GET else None)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    params = {"programme": data.get("programme"), "date_from": data.get("date_from"), "date_to": data.get("date_to")}
    return form, {"dimension": data.get("dimension") or selectors.Dimension.VOIVODESHIP, **params}


@login_required
def reports(request):
    """Trainings held and people trained by area, institution type and month; progress against targets."""
    if not permissions.can_view_reports(request.user):
        raise PermissionDenied
    form, params = _report_context(request)
    context = {"form": form, "querystring": request.GET.urlencode()}
    if params is not None:
        context.update(
            rows=selectors.training_report(**params),
            dimension_label=form.dimension_label() if form.is_bound else _("województwa"),
            powiat_rows=selectors.trainings_and_cooperatives_by_powiat(
                programme=params["programme"], date_from=params["date_from"], date_to=params["date_to"]
            ),
            progress=[
                selectors.programme_progress(programme=programme)
                for programme in ([params["programme"]] if params["programme"] else form.fields["programme"].queryset)
            ],
        )
    return render(request, "trainings/reports.html", context)


@login_required
def reports_export(request, report, fmt):
    """A report table as CSV or XLSX; more rows than PORTAL_EXPORT_BACKGROUND_ROWS allows are offered as a
    background export (exportjobs)."""
    if not permissions.can_view_reports(request.user):
        raise PermissionDenied
    form, params = _report_context(request)
    if params is None:
        return render(request, "trainings/reports.html", {"form": form}, status=400)
    table = exports.report_file(report, form, params)
    if exportjobs.needs_background(fmt, len(table.rows)):
        query = [(name, value) for name, values in sorted(request.GET.lists()) for value in values]
        return offer_background(
            request,
            kind="trainings.report",
            params={"report": report, "fmt": fmt, "query": query},
            rows=len(table.rows),
        )
    return exports.export_response(
        fmt, header=table.header, rows=table.rows, filename=table.filename, title=table.title
    )


@login_required
@require_http_methods(["GET", "POST"])
def personal_data(request):
    """Staff export everything held about one e-mail address as JSON (a data-subject access request)."""
    if not permissions.can_export_personal_data(request.user):
        raise PermissionDenied
    form = PersonalDataRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = selectors.personal_data_for_email(email=form.cleaned_data["email"])
        if data is None:
            form.add_error("email", _("Nie przechowujemy żadnych danych o tym adresie e-mail."))
        else:
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="dane-osobowe.json"'
            return response
    return render(request, "trainings/personal_data.html", {"form": form})
