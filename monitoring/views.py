"""Pages of the monitoring: public statistics, the representatives' questionnaires and the staff's back office."""

import logging

from celery.result import AsyncResult
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cooperatives.models import Cooperative
from core import streaming
from exportjobs import registry as exportjobs
from exportjobs.views import offer_background

from . import exports, selectors, services, statistics
from . import rules as consistency
from .filters import statistics_query, voivodeship_choices
from .forms import ImportForm, QuestionnaireForm, VerificationForm
from .models import AnswerImport, Response, Wave
from .permissions import (
    can_fill_response,
    can_manage_monitoring,
    can_see_confidential_statistics,
    can_view_response,
    can_view_wave_statistics,
)
from .versions import with_statistics_version

logger = logging.getLogger(__name__)

STAFF_PAGE_SIZE = 50


def _require_staff(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_manage_monitoring(request.user):
        raise PermissionDenied
    return None


def index(request):
    """The statistics entry page: published waves, registry counts and trends across waves."""
    confidential = can_see_confidential_statistics(request.user)
    context = {
        **selectors.statistics_overview(confidential_view=confidential),
        "staff_waves": Wave.objects.exclude(status=Wave.Status.PUBLISHED) if confidential else [],
        "min_cell_size": statistics.min_cell_size(),
        "confidential": confidential,
    }
    return render(request, "monitoring/index.html", context)


def wave_statistics(request, pk: int):
    """One wave's statistics tables, by the chosen breakdown and filters; protected for everyone but staff."""
    wave = get_object_or_404(with_statistics_version(Wave.objects.select_related("registry_snapshot")), pk=pk)
    if not can_view_wave_statistics(request.user, wave):
        raise PermissionDenied
    voivodeships = voivodeship_choices()
    query, errors, _form = statistics_query(request.GET, voivodeships=voivodeships)
    breakdown, filters = query["breakdown"], query["filters"]
    confidential = can_see_confidential_statistics(request.user)
    tables = statistics.build_tables(wave=wave, breakdown=breakdown, filters=filters, confidential_view=confidential)
    context = {
        "wave": wave,
        "registry": statistics.wave_registry_counts(wave),
        "responses_submitted": statistics.responses_submitted(wave, confidential_view=confidential),
        "tables": tables,
        "breakdown": breakdown,
        "breakdowns": statistics.BREAKDOWNS,
        "filters": filters,
        "errors": errors,
        "voivodeships": voivodeships,
        "founder_types": Cooperative.FounderType.choices,
        "min_cell_size": statistics.min_cell_size(),
        "confidential": confidential,
        "method": statistics.method_description(confidential=confidential),
        "can_export": can_manage_monitoring(request.user),
        "download_query": _download_query(breakdown, filters),
    }
    return render(request, "monitoring/wave_statistics.html", context)


def _download_query(breakdown: str, filters: dict) -> str:
    """The page's valid breakdown and filters, for its tables' download and staff export links (the file has the
    page's numbers; never the raw query string, whose other parameters would repeat the link's own)."""
    params = {"breakdown": breakdown} if breakdown != "none" else {}
    return urlencode({**params, **filters})


@login_required
def my_surveys(request):
    """A representative's open waves and the state of each answer (also shown on their dashboard)."""
    tasks = selectors.open_waves_for_user(request.user)
    return render(request, "monitoring/my_surveys.html", {"tasks": tasks})


@login_required
@require_http_methods(["GET", "POST"])
def fill(request, wave_pk: int, krs: str):
    """Fill, save as a draft or submit a cooperative's questionnaire.

    Only a representative of the cooperative while the wave accepts answers, or ministry staff (paper surveys).
    """
    wave = get_object_or_404(Wave, pk=wave_pk)
    cooperative = get_object_or_404(Cooperative, krs_number=krs)
    if not can_fill_response(request.user, wave, cooperative):
        if request.method == "GET" and can_view_response(request.user, wave, cooperative):
            return _response_read_only(request, wave, cooperative)
        raise PermissionDenied
    as_staff = can_manage_monitoring(request.user)
    questions = selectors.questionnaire(wave)
    rules = consistency.wave_rules(wave.pk)
    response = selectors.response_for(wave=wave, cooperative=cooperative)
    prefilled = False
    if response is not None:
        initial = selectors.answer_values(response)
    else:
        initial = selectors.prefill_values(wave=wave, cooperative=cooperative, questions=questions)
        prefilled = bool(initial)
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, questions=questions, rules=rules, response=response)
        if form.is_valid():
            try:
                response, _changed = services.response_save(
                    wave=wave,
                    cooperative=cooperative,
                    questions=questions,
                    values=form.cleaned_answers,
                    user=request.user,
                    submit=form.wants_submit,
                    as_staff=as_staff,
                    expected_version=form.cleaned_data.get("version"),
                    source=Response.Source.STAFF if as_staff else Response.Source.ONLINE,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if form.wants_submit:
                    messages.success(request, _("Ankieta została przesłana. Dziękujemy!"))
                elif form.contradictions:
                    messages.warning(
                        request,
                        _(
                            "Zapisano szkic ankiety, ale część odpowiedzi jest ze sobą sprzeczna. "
                            "Popraw je przed przesłaniem ankiety."
                        ),
                    )
                else:
                    messages.success(request, _("Zapisano szkic ankiety."))
                return redirect(reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": krs}))
    else:
        form = QuestionnaireForm(initial=initial, questions=questions, rules=rules, response=response)
    context = {
        "wave": wave,
        "cooperative": cooperative,
        "response": response,
        "form": form,
        "prefilled": prefilled,
        "as_staff": as_staff,
    }
    return render(request, "monitoring/fill.html", context)


def _response_read_only(request, wave: Wave, cooperative: Cooperative):
    """A cooperative's answers to a wave that no longer accepts them, to read (representatives and staff)."""
    response = selectors.response_for(wave=wave, cooperative=cooperative)
    answers = []
    if response is not None:
        answers = (
            response.answers.select_related("question", "question__section")
            .prefetch_related("selected_choices")
            .order_by("question__section__order", "question__section_id", "question__order", "question_id")
        )
    context = {"wave": wave, "cooperative": cooperative, "response": response, "answers": answers}
    return render(request, "monitoring/response_read_only.html", context)


def staff_waves(request):
    """Ministry staff: every wave with its response count."""
    if denied := _require_staff(request):
        return denied
    return render(request, "monitoring/staff_waves.html", {"waves": selectors.staff_waves()})


def staff_wave(request, pk: int):
    """Ministry staff: response tracking of a wave (overall and per voivodeship), responses and non-responders."""
    if denied := _require_staff(request):
        return denied
    wave = get_object_or_404(Wave, pk=pk)
    context = {
        "wave": wave,
        "rules": consistency.wave_rules(wave.pk),
        "rates": selectors.response_rates(wave),
        "responses": Paginator(selectors.wave_responses(wave), STAFF_PAGE_SIZE).get_page(request.GET.get("page")),
        "non_responders": Paginator(selectors.non_responders(wave), STAFF_PAGE_SIZE).get_page(
            request.GET.get("np_page")
        ),
    }
    return render(request, "monitoring/staff_wave.html", context)


def staff_contradictions(request, pk: int):
    """Ministry staff: the wave's responses whose answers break its consistency rules (e.g. rules added later)."""
    if denied := _require_staff(request):
        return denied
    wave = get_object_or_404(Wave, pk=pk)
    rules = consistency.wave_rules(wave.pk)
    broken = selectors.responses_breaking_rules(wave, rules)
    context = {
        "wave": wave,
        "rules": rules,
        "broken_count": len(broken),
        "broken": Paginator(broken, STAFF_PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "monitoring/staff_contradictions.html", context)


@require_http_methods(["GET", "POST"])
def staff_verify(request, pk: int):
    """Ministry staff: mark a submitted response verified or needing correction (with a comment)."""
    if denied := _require_staff(request):
        return denied
    response = get_object_or_404(Response.objects.select_related("wave", "cooperative"), pk=pk)
    form = VerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_verify(
                response=response,
                user=request.user,
                verification=form.cleaned_data["verification"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Zapisano wynik weryfikacji."))
            return redirect("monitoring:staff-wave", pk=response.wave_id)
    answers = list(
        response.answers.select_related("question", "question__section")
        .prefetch_related("selected_choices")
        .order_by("question__section__order", "question__order")
    )
    contradictions = consistency.check(
        consistency.wave_rules(response.wave_id),
        [answer.question for answer in answers],
        {answer.question.code: answer.python_value() for answer in answers},
    )
    context = {"response": response, "answers": answers, "contradictions": contradictions, "form": form}
    return render(request, "monitoring/staff_verify.html", context)


def _download_name(wave: Wave, suffix: str, extension: str) -> str:
    return f"monitoring-{wave.reference_year}-{wave.pk}-{suffix}.{extension}"


EXPORT_VIEWS = {"confidential": "poufne", "public": "publiczne"}


def export_table(request, pk: int):
    """Ministry staff: one statistics table (wave, indicator, breakdown, filters) as CSV or XLSX with metadata:
    the exact, confidential values, or (`view=public`) the protected ones everyone else sees."""
    if denied := _require_staff(request):
        return denied
    wave = get_object_or_404(with_statistics_version(Wave.objects.all()), pk=pk)
    return _table_file(request, wave, staff=True)


def download_table(request, pk: int):
    """Everyone who may see a wave's statistics: one table as the public sees it on the page (protected by the
    cell-key method, hidden sums as "."), as CSV (semicolons, for a spreadsheet in a Polish locale) or XLSX, with
    metadata explaining the protection. Ministry staff get the same protected numbers here (their exact tables
    are the `export`)."""
    wave = get_object_or_404(with_statistics_version(Wave.objects.all()), pk=pk)
    if not can_view_wave_statistics(request.user, wave):
        raise PermissionDenied
    return _table_file(request, wave, staff=False)


def _table_file(request, wave, *, staff: bool):
    """One table of the page's query as a file, or a 400 page naming each bad parameter. Staff choose the version
    (`view`: exact by default, or protected) and get comma-separated CSV; the public download is always the
    protected table, with semicolons."""
    query, errors, _form = statistics_query(request.GET, require_indicator=True)
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        errors["format"] = _("Dostępne formaty to csv i xlsx.")
    view = "public"
    if staff:
        view = request.GET.get("view") or "confidential"
        if view not in EXPORT_VIEWS:
            errors["view"] = _(
                "Dostępne wersje to confidential (dokładne, poufne) i public (chronione, do publikacji)."
            )
    if errors:
        return render(request, "monitoring/export_error.html", {"wave": wave, "errors": errors}, status=400)
    indicator, breakdown = query["indicator"], query["breakdown"]
    table = statistics.build_table(
        wave=wave,
        indicator=indicator,
        breakdown=breakdown,
        filters=query["filters"],
        confidential_view=view == "confidential",
    )
    label = f"{indicator.code}-{breakdown}-{EXPORT_VIEWS[view]}" if staff else f"{indicator.code}-{breakdown}"
    name = _download_name(wave, label, file_format)
    if file_format == "xlsx":
        return streaming.xlsx_sheets_response(exports.table_sheets(table), filename=name)
    rows = exports.table_csv_rows(table)
    return streaming.csv_response(next(rows), rows, filename=name, delimiter="," if staff else ";")


def export_microdata(request, pk: int):
    """Ministry staff: one row per response, one column per question code, streamed in chunks."""
    if denied := _require_staff(request):
        return denied
    wave = get_object_or_404(Wave, pk=pk)
    return _microdata_response(
        request,
        wave=wave,
        name=lambda file_format: _download_name(wave, "mikrodane", file_format),
        rows=lambda: exports.microdata_rows(wave),
        sheets=lambda: exports.microdata_sheets(wave),
    )


def export_microdata_all(request):
    """Ministry staff: the microdata of every wave in one file, with the wave of each row, streamed in chunks."""
    if denied := _require_staff(request):
        return denied
    return _microdata_response(
        request,
        wave=None,
        name=lambda file_format: f"monitoring-wszystkie-fale-mikrodane.{file_format}",
        rows=exports.all_waves_microdata_rows,
        sheets=exports.all_waves_microdata_sheets,
    )


def _csv_response(rows, *, filename: str):
    """CSV of rows whose first one is the header."""
    rows = iter(rows)
    return streaming.csv_response(next(rows), rows, filename=filename)


def _microdata_response(request, *, wave, name, rows, sheets):
    """CSV (streamed) or XLSX of microdata rows, or a 400 page for another format; more responses than
    settings.PORTAL_EXPORT_BACKGROUND_ROWS allows are offered as a background export."""
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        context = {"errors": {"format": _("Dostępne formaty to csv i xlsx.")}}
        if wave is not None:
            context["wave"] = wave
        return render(request, "monitoring/export_error.html", context, status=400)
    responses = Response.objects.filter(wave=wave) if wave is not None else Response.objects.all()
    try:
        count = responses.count()
    except streaming.DATABASE_UNAVAILABLE:
        logger.exception("Download %s not started: the database is unavailable", request.path)
        return streaming.database_unavailable_response()
    if exportjobs.needs_background(file_format, count):
        params = {"wave": wave.pk if wave is not None else None, "fmt": file_format}
        return offer_background(request, kind="monitoring.microdata", params=params, rows=count)
    filename = name(file_format)
    if file_format == "csv":
        return _csv_response(rows(), filename=filename)
    return streaming.xlsx_sheets_response(sheets(), filename=filename)


def _import_progress(job: AnswerImport) -> dict:
    """How far a running import has got: the task's PROGRESS meta in the result backend (the import's own rows are
    invisible until its transaction commits). Empty without a backend, or when it cannot be read."""
    if job.is_finished or not job.task_id or not settings.CELERY_RESULT_BACKEND:
        return {}
    try:
        task = AsyncResult(job.task_id)
        meta = task.info if task.state == "PROGRESS" else None
    except Exception:  # the backend (Redis) unreachable: the page still shows the import's status
        return {}
    return {"done": meta.get("done", 0), "total": meta.get("total", 0)} if isinstance(meta, dict) else {}


def _staff_import_job(request, pk: int, import_id: int) -> AnswerImport:
    return get_object_or_404(AnswerImport.objects.select_related("wave"), pk=import_id, wave_id=pk)


def import_progress(request, pk: int, import_id: int):
    """Ministry staff: the state of an import (polled by its status page): status, rows done of total, finished."""
    if denied := _require_staff(request):
        return denied
    job = _staff_import_job(request, pk, import_id)
    progress = _import_progress(job)
    return JsonResponse(
        {
            "status": job.status,
            "finished": job.is_finished,
            "done": progress.get("done", 0),
            "total": progress.get("total", 0),
        }
    )


def import_status(request, pk: int, import_id: int):
    """Ministry staff: the status page of one import: waiting, running (with progress; it refreshes itself, with or
    without JavaScript), imported, or why nothing was saved (every invalid cell, or the file's problem)."""
    if denied := _require_staff(request):
        return denied
    job = _staff_import_job(request, pk, import_id)
    context = {"wave": job.wave, "job": job, "progress": _import_progress(job), "form": ImportForm()}
    return render(request, "monitoring/staff_import_status.html", context)


@require_http_methods(["GET", "POST"])
def staff_import(request, pk: int):
    """Ministry staff: upload a wave's answers (CSV/XLSX); a worker imports them (any invalid cell and nothing is
    saved) and the import's status page follows it."""
    if denied := _require_staff(request):
        return denied
    wave = get_object_or_404(Wave, pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.answer_import_enqueue(wave=wave, user=request.user, data=upload.read(), filename=upload.name)
        return redirect("monitoring:import-status", pk=wave.pk, import_id=job.pk)
    status = 400 if form.errors else 200
    return render(request, "monitoring/staff_import.html", {"wave": wave, "form": form}, status=status)
