"""Signed-in pages: a representative's dashboard and editing, buyer inquiries, error reports, moderation.

Every view checks one predicate from permissions.py and calls one service; reads come from selfservice_selectors.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core import site
from core.concurrency import StaleVersionError
from core.params import is_digits
from core.public_forms import rate_limited as _rate_limited
from core.storage import private_file_response
from core.text import days_text
from core.validators import validate_single_line

from . import selectors as public_selectors
from . import selfservice_selectors as selectors
from . import services, shortlist, territory
from .forms import (
    ChangeRequestForm,
    CooperativeLookupForm,
    CooperativeProfileForm,
    DecisionForm,
    ErrorReportForm,
    InquiryForm,
    MemberInviteForm,
    OfferForm,
    PhotoForm,
    RepresentationRequestForm,
)
from .models import (
    ChangeRequest,
    Cooperative,
    CooperativePhoto,
    DeliveryStatus,
    ErrorReport,
    Inquiry,
    Invitation,
    Membership,
    Offer,
    RepresentationRequest,
)
from .permissions import (
    can_edit_cooperative,
    can_manage_members,
    can_moderate_cooperative,
    can_request_representation,
    can_revert_history,
    can_use_moderation_desk,
    can_view_history,
    can_view_inquiry,
    can_view_stale_list,
)

T = "cooperatives/selfservice/"


def _cooperative(krs: str) -> Cooperative:
    return get_object_or_404(Cooperative.objects.select_related("gmina", "voivodeship"), krs_number=krs)


def _editable_cooperative(request, krs: str) -> Cooperative:
    cooperative = _cooperative(krs)
    if not can_edit_cooperative(request.user, cooperative):
        raise PermissionDenied
    return cooperative


def _stale(request, form, error: StaleVersionError, template: str, context: dict):
    """Keeps the user's input on the page and shows what changed meanwhile; nothing is saved."""
    form.add_error(
        None,
        _(
            "Ktoś zapisał zmiany, odkąd otworzyłeś(-aś) ten formularz. Twoje zmiany nie zostały zapisane. "
            "Sprawdź poniżej, co się zmieniło, i zapisz ponownie."
        ),
    )
    data = form.data.copy()
    data["version"] = error.current_version
    form.data = data
    return render(request, template, {**context, "form": form, "stale_changes": error.changes}, status=409)


# --- Dashboard ----------------------------------------------------------------------------------------------


@login_required
def dashboard(request):
    """A signed-in user's own cooperatives, requests and the inquiries addressed to them."""
    return render(
        request,
        T + "dashboard.html",
        {
            "memberships": selectors.dashboard_memberships(user=request.user),
            "requests": selectors.user_requests(user=request.user),
            "inquiries": selectors.dashboard_inquiries(user=request.user),
            "can_moderate": can_use_moderation_desk(request.user),
        },
    )


# --- Representation ----------------------------------------------------------------------------------------


@login_required
def representation_request(request):
    """Any signed-in user may ask to represent a cooperative they do not represent yet."""
    lookup = CooperativeLookupForm(request.GET or None)
    results = selectors.cooperative_lookup(query=lookup.cleaned_data["q"]) if lookup.is_valid() else []
    cooperative = None
    krs = request.POST.get("krs") or request.GET.get("krs")
    if krs:
        if not is_digits(krs, 10):  # never a database error: a NUL, a "²" or garbage is just no such cooperative
            raise Http404
        cooperative = get_object_or_404(Cooperative, krs_number=krs)
        if not can_request_representation(request.user, cooperative):
            messages.info(request, _("Już reprezentujesz tę spółdzielnię."))
            return redirect("selfservice:dashboard")
    form = RepresentationRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and cooperative and form.is_valid():
        try:
            services.representation_request_create(
                user=request.user,
                cooperative=cooperative,
                role_in_cooperative=form.cleaned_data["role_in_cooperative"],
                message=form.cleaned_data["message"],
                document=form.cleaned_data["document"],
                build_url=site.absolute_url,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Wniosek wysłany. O decyzji powiadomimy Cię e-mailem."))
            return redirect("selfservice:dashboard")
    return render(
        request,
        T + "representation_request.html",
        {"lookup": lookup, "results": results, "cooperative": cooperative, "form": form},
    )


def representation_confirm(request, token):
    """The link e-mailed to the cooperative: GET shows what is confirmed, POST confirms (link scanners only GET)."""
    try:
        request_obj = services.representation_request_from_token(token)
        if request.method == "POST":
            services.representation_confirm_by_link(token=token)
            messages.success(request, _("Dziękujemy. Przedstawiciel spółdzielni został potwierdzony."))
            return render(request, T + "representation_confirm.html", {"confirmed": True, "request_obj": request_obj})
    except services.InvalidLink as error:
        return render(request, T + "representation_confirm.html", {"error": str(error)}, status=410)
    return render(request, T + "representation_confirm.html", {"request_obj": request_obj})


# --- Profile -------------------------------------------------------------------------------------------------


@login_required
def cooperative_edit(request, krs):
    """Only a representative of the cooperative (or ministry staff) may edit its profile."""
    cooperative = _editable_cooperative(request, krs)
    template = T + "cooperative_edit.html"
    step = request.POST.get("step", "") if request.method == "POST" else ""
    form = CooperativeProfileForm(request.POST or None, request.FILES or None, instance=cooperative, step=step)
    context = {"cooperative": cooperative, "offers": cooperative.offers.select_related("category")}
    if form.step:
        # A "show powiats / gminas / add a row" button without JavaScript: the same form, narrowed, unsaved.
        return render(request, template, {**context, "form": form.without_errors()})
    if request.method == "POST" and form.is_valid():
        try:
            services.cooperative_update_profile(
                cooperative=cooperative,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                data=form.profile_data(),
                target_groups=form.cleaned_data["target_groups"],
                activities=form.activities(),
                logo=form.cleaned_data["logo_upload"],
            )
        except StaleVersionError as error:
            return _stale(request, form, error, template, context)
        messages.success(request, _("Zapisano. Zmiany są już widoczne w profilu publicznym."))
        return redirect("selfservice:cooperative-edit", krs=krs)
    return render(request, template, {**context, "form": form})


@login_required
@require_POST
def confirm_data(request, krs):
    """ "Moje dane są aktualne" – one click by a representative."""
    cooperative = _editable_cooperative(request, krs)
    services.cooperative_confirm_data(cooperative=cooperative, user=request.user)
    messages.success(request, _("Dziękujemy za potwierdzenie aktualności danych."))
    return redirect("selfservice:cooperative-edit", krs=krs)


@login_required
def change_request_create(request, krs):
    """Identity fields change only through a request that a moderator approves."""
    cooperative = _editable_cooperative(request, krs)
    form = ChangeRequestForm(request.POST or None, instance=cooperative)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_create(
                cooperative=cooperative,
                user=request.user,
                proposed=form.proposed(),
                justification=form.cleaned_data["justification"],
                build_url=site.absolute_url,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Wniosek o zmianę wysłany do moderacji."))
            return redirect("selfservice:cooperative-edit", krs=krs)
    return render(request, T + "change_request_form.html", {"cooperative": cooperative, "form": form})


# --- Offers --------------------------------------------------------------------------------------------------


@login_required
def offer_create(request, krs):
    cooperative = _editable_cooperative(request, krs)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_create(cooperative=cooperative, user=request.user, data=form.offer_data())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Dodano ofertę."))
            return redirect("selfservice:cooperative-edit", krs=krs)
    return render(request, T + "offer_form.html", {"cooperative": cooperative, "form": form})


def _editable_offer(request, pk) -> Offer:
    offer = get_object_or_404(Offer.objects.select_related("cooperative", "category"), pk=pk)
    if not can_edit_cooperative(request.user, offer.cooperative):
        raise PermissionDenied
    return offer


@login_required
def offer_edit(request, pk):
    """Only a representative of the offering cooperative (or staff) may edit or deactivate an offer."""
    offer = _editable_offer(request, pk)
    template = T + "offer_form.html"
    form = OfferForm(request.POST or None, instance=offer)
    context = {"cooperative": offer.cooperative, "offer": offer}
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(
                offer=offer, user=request.user, expected_version=form.cleaned_data["version"], data=form.offer_data()
            )
        except StaleVersionError as error:
            return _stale(request, form, error, template, context)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Zapisano ofertę."))
            return redirect("selfservice:cooperative-edit", krs=offer.cooperative.krs_number)
    return render(request, template, {**context, "form": form})


@login_required
def offer_delete(request, pk):
    offer = _editable_offer(request, pk)
    if request.method == "POST":
        krs = offer.cooperative.krs_number
        services.offer_delete(offer=offer, user=request.user)
        messages.success(request, _("Usunięto ofertę."))
        return redirect("selfservice:cooperative-edit", krs=krs)
    return render(request, T + "offer_confirm_delete.html", {"offer": offer, "cooperative": offer.cooperative})


# --- Photos --------------------------------------------------------------------------------------------------


@login_required
def photos(request, krs):
    cooperative = _editable_cooperative(request, krs)
    photos_left = services.MAX_PHOTOS - cooperative.photos.count()
    form = PhotoForm(request.POST or None, request.FILES or None, photos_left=photos_left)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_add(
                cooperative=cooperative, image=form.cleaned_data["image"], alt_text=form.cleaned_data["alt_text"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Dodano zdjęcie."))
            return redirect("selfservice:photos", krs=krs)
    return render(
        request, T + "photos.html", {"cooperative": cooperative, "form": form, "photos": cooperative.photos.all()}
    )


@login_required
@require_POST
def photo_delete(request, pk):
    photo = get_object_or_404(CooperativePhoto.objects.select_related("cooperative"), pk=pk)
    if not can_edit_cooperative(request.user, photo.cooperative):
        raise PermissionDenied
    services.photo_delete(photo=photo)
    messages.success(request, _("Usunięto zdjęcie."))
    return redirect("selfservice:photos", krs=photo.cooperative.krs_number)


# --- Members -------------------------------------------------------------------------------------------------


@login_required
def members(request, krs):
    """Owners invite and remove editors (by e-mail, with or without an account); staff may revoke any membership."""
    cooperative = _cooperative(krs)
    if not can_manage_members(request.user, cooperative):
        raise PermissionDenied
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.membership_invite(
                cooperative=cooperative,
                email=form.cleaned_data["email"],
                invited_by=request.user,
                build_url=site.absolute_url,
            )
        except ValidationError as error:
            form.add_error(None, error)  # a message about the address lands next to the field
        else:
            if isinstance(result, Invitation):
                messages.success(request, _("Wysyłamy zaproszenie na adres %(email)s.") % {"email": result.email})
            else:
                messages.success(request, _("Dodano redaktora."))
            return redirect("selfservice:members", krs=krs)
    return render(
        request,
        T + "members.html",
        {
            "cooperative": cooperative,
            "form": form,
            "memberships": cooperative.memberships.select_related("user").order_by("role", "user__email"),
            "invitations": selectors.pending_invitations(cooperative=cooperative, viewer=request.user),
        },
    )


@login_required
def invitation_accept(request, token):
    """The e-mailed invitation: GET shows it, POST makes the signed-in, invited user an editor."""
    try:
        invitation = services.invitation_from_token(token)
        services.invitation_check_user(invitation, request.user)
        if request.method == "POST":
            membership = services.invitation_accept(token=token, user=request.user)
            messages.success(
                request,
                _("Możesz teraz prowadzić profil spółdzielni %(name)s.") % {"name": membership.cooperative.name},
            )
            return redirect("selfservice:cooperative-edit", krs=membership.cooperative.krs_number)
    except services.InvalidLink as error:
        return render(request, T + "invitation_accept.html", {"error": str(error)}, status=410)
    except services.WrongInvitee as error:
        return render(request, T + "invitation_accept.html", {"error": str(error)}, status=403)
    return render(request, T + "invitation_accept.html", {"invitation": invitation})


@login_required
@require_POST
def invitation_cancel(request, pk):
    invitation = get_object_or_404(Invitation.objects.select_related("cooperative"), pk=pk)
    if not can_manage_members(request.user, invitation.cooperative):
        raise PermissionDenied
    try:
        services.invitation_cancel(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Anulowano zaproszenie dla %(email)s.") % {"email": invitation.email})
    return redirect("selfservice:members", krs=invitation.cooperative.krs_number)


@login_required
@require_POST
def member_remove(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("cooperative", "user"), pk=pk)
    is_self = membership.user_id == request.user.pk
    if not (is_self or can_manage_members(request.user, membership.cooperative)):
        raise PermissionDenied
    try:
        services.membership_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Usunięto dostęp do profilu."))
        if is_self:
            return redirect("selfservice:dashboard")
    return redirect("selfservice:members", krs=membership.cooperative.krs_number)


# --- History -------------------------------------------------------------------------------------------------


@login_required
def history(request, krs):
    """Moderators see who changed what; representatives see their colleagues by name and staff by role only
    (accounts.identity). Ministry staff may revert a change in one action."""
    cooperative = _cooperative(krs)
    if not can_view_history(request.user, cooperative):
        raise PermissionDenied
    return render(
        request,
        T + "history.html",
        {
            "cooperative": cooperative,
            **selectors.cooperative_history(cooperative, viewer=request.user),
            "can_revert": can_revert_history(request.user, cooperative),
        },
    )


@login_required
@require_POST
def history_revert(request, model, history_id):
    history_model = {"spoldzielnia": Cooperative.history.model, "oferta": Offer.history.model}.get(model)
    if history_model is None:
        raise Http404
    record = get_object_or_404(history_model, history_id=history_id)
    cooperative_id = record.id if model == "spoldzielnia" else record.cooperative_id
    cooperative = get_object_or_404(Cooperative, pk=cooperative_id)
    if not can_revert_history(request.user, cooperative):
        raise PermissionDenied
    services.history_revert(record=record, user=request.user)
    messages.success(request, _("Przywrócono wcześniejszy stan. Przywrócenie zapisano w historii."))
    return redirect("selfservice:history", krs=cooperative.krs_number)


# --- Public forms --------------------------------------------------------------------------------------------


def report_error(request, krs):
    """Anyone may report an error in a public entry; rate-limited per IP, with a honeypot against bots."""
    cooperative = _cooperative(krs)
    form = ErrorReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Only complete submissions count towards the limit, so typos do not lock a person out.
        if _rate_limited(request, "error-report"):
            form.add_error(None, _("Wysłano zbyt wiele zgłoszeń z tego adresu. Spróbuj ponownie za godzinę."))
            return render(request, T + "report_error.html", {"cooperative": cooperative, "form": form}, status=429)
        services.error_report_create(
            cooperative=cooperative,
            message=form.cleaned_data["message"],
            reporter_email=form.cleaned_data["reporter_email"],
        )
        messages.success(request, _("Dziękujemy. Zgłoszenie trafiło do moderatorów."))
        return redirect(cooperative.get_absolute_url())
    return render(request, T + "report_error.html", {"cooperative": cooperative, "form": form})


SENT_INQUIRIES_SESSION_KEY = "cooperatives:sent-inquiries"


def inquiry(request):
    """A buyer sends one inquiry to the cooperatives of the shortlist (or of `krs` parameters, from a profile)."""
    source = request.POST if request.method == "POST" else request.GET
    preselected = [krs for krs in source.getlist("krs") if is_digits(krs, 10)]
    if request.method != "POST" and not preselected:
        preselected = shortlist.krs_numbers(request.session)
    form = InquiryForm(request.POST or None, preselected=preselected)
    context = {
        "form": form,
        "has_selection": bool(preselected),
        "retention_period": days_text(settings.PORTAL_INQUIRY_RETENTION_DAYS),
        "data_controller": settings.PORTAL_DATA_CONTROLLER,
        "data_protection_contact": settings.PORTAL_DATA_PROTECTION_CONTACT,
    }
    routes = public_selectors.inquiry_routes(cooperatives=list(form.fields["krs"].queryset))
    context["undeliverable"] = [route for route in routes if not route.can_be_sent]
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request, "inquiry"):
            form.add_error(None, _("Wysłano zbyt wiele zapytań z tego adresu. Spróbuj ponownie za godzinę."))
            return render(request, T + "inquiry_form.html", context, status=429)
        sent = services.inquiry_send(
            cooperatives=list(form.cleaned_data["krs"]),
            data=form.inquiry_data(),
            build_url=site.absolute_url,
        )
        # Only this browser may see the outcome (it names the buyer's choice); the last few are remembered.
        request.session[SENT_INQUIRIES_SESSION_KEY] = [
            sent.pk,
            *request.session.get(SENT_INQUIRIES_SESSION_KEY, [])[:9],
        ]
        return redirect("selfservice:inquiry-result", pk=sent.pk)
    return render(request, T + "inquiry_form.html", context)


def inquiry_result(request, pk):
    """What happened to each cooperative of an inquiry just sent: only for the browser that sent it."""
    if pk not in request.session.get(SENT_INQUIRIES_SESSION_KEY, []):
        raise Http404
    inquiry = get_object_or_404(Inquiry, pk=pk)
    recipients = selectors.inquiry_result_recipients(inquiry=inquiry)
    # Sending is done by a worker: until it has tried, the page says so (and refreshes), never "sent".
    pending = inquiry.copy_status == DeliveryStatus.PENDING or any(
        r.status == DeliveryStatus.PENDING for r in recipients
    )
    return render(
        request,
        T + "inquiry_sent.html",
        {"inquiry": inquiry, "recipients": recipients, "pending": pending},
    )


@login_required
def inquiry_detail(request, pk):
    """The sender's personal data: addressed cooperatives' representatives and staff only."""
    inquiry = get_object_or_404(Inquiry.objects.prefetch_related("recipients__cooperative"), pk=pk)
    if not can_view_inquiry(request.user, inquiry):
        raise PermissionDenied
    return render(request, T + "inquiry_detail.html", {"inquiry": inquiry})


# --- Moderation ----------------------------------------------------------------------------------------------


def _require_desk(request):
    if not can_use_moderation_desk(request.user):
        raise PermissionDenied


@login_required
def moderation_desk(request):
    """Pending requests and reports; a coordinator sees only their voivodeships."""
    _require_desk(request)
    voivodeships = selectors.moderated_voivodeships(user=request.user)
    chosen = request.GET.get("wojewodztwo") or None
    if chosen and not (is_digits(chosen, 2) and voivodeships.filter(code=chosen).exists()):
        chosen = None
    return render(
        request,
        T + "moderation_desk.html",
        {
            **selectors.moderation_desk(user=request.user, voivodeship=chosen),
            "voivodeships": voivodeships,
            "chosen": chosen,
        },
    )


@login_required
def representation_review(request, pk):
    request_obj = get_object_or_404(
        RepresentationRequest.objects.select_related("user", "cooperative", "cooperative__voivodeship"), pk=pk
    )
    if not can_moderate_cooperative(request.user, request_obj.cooperative):
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.representation_request_decide(
                request_obj=request_obj, reviewer=request.user, approve=form.approve, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Zapisano decyzję i powiadomiono wnioskodawcę."))
            return redirect("selfservice:moderation")
    return render(request, T + "representation_review.html", {"request_obj": request_obj, "form": form})


@login_required
def representation_document(request, pk):
    """The supporting PDF: the applicant and the moderators of the cooperative only."""
    request_obj = get_object_or_404(RepresentationRequest.objects.select_related("cooperative"), pk=pk)
    allowed = request_obj.user_id == request.user.pk or can_moderate_cooperative(request.user, request_obj.cooperative)
    if not allowed or not request_obj.document:
        raise Http404
    # Always a download, never shown in the portal's origin (a signed, short-lived URL on object storage); were a
    # viewer to render it anyway, the sandbox policy keeps scripts from running and nosniff keeps the type.
    return private_file_response(
        request_obj.document.storage, request_obj.document.name, filename="dokument.pdf", content_type="application/pdf"
    )


@login_required
def change_review(request, pk):
    change_request = get_object_or_404(
        ChangeRequest.objects.select_related("requested_by", "cooperative", "cooperative__voivodeship"), pk=pk
    )
    if not can_moderate_cooperative(request.user, change_request.cooperative):
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_decide(
                change_request=change_request,
                reviewer=request.user,
                approve=form.approve,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Zapisano decyzję i powiadomiono wnioskodawcę."))
            return redirect("selfservice:moderation")
    return render(
        request,
        T + "change_review.html",
        {"change_request": change_request, "diff": selectors.change_request_diff(change_request), "form": form},
    )


@login_required
@require_POST
def error_report_resolve(request, pk):
    report = get_object_or_404(ErrorReport.objects.select_related("cooperative"), pk=pk)
    if not can_moderate_cooperative(request.user, report.cooperative):
        raise PermissionDenied
    services.error_report_resolve(report=report, user=request.user)
    messages.success(request, _("Oznaczono zgłoszenie jako rozpatrzone."))
    return redirect("selfservice:moderation")


@login_required
def stale_list(request):
    """Cooperatives whose representatives have not confirmed their data for a year."""
    if not can_view_stale_list(request.user):
        raise PermissionDenied
    return render(request, T + "stale_list.html", {"cooperatives": selectors.stale_cooperatives(user=request.user)})


# --- Territory lists for the profile's gmina picker ------------------------------------------------------------


def _single_line(text: str) -> bool:
    try:
        validate_single_line(text)
    except ValidationError:
        return False
    return True


@require_safe
def territory_options(request):
    """Public TERYT lists for static/js/gmina-picker.js: `parent` (a voivodeship's 2 digits: its powiats; a powiat's
    4 digits: its gminas) or `q` (gminas by name). The labels are the page's own (cooperatives.territory)."""
    parent, query = request.GET.get("parent", ""), request.GET.get("q", "")
    if is_digits(parent, 2):
        options, more = territory.powiat_options(parent), False
    elif is_digits(parent, 4):
        options, more = territory.gmina_options(parent), False
    elif query.strip() and len(query) <= 100 and _single_line(query):
        options = territory.gmina_search(query)
        more = len(options) > territory.SEARCH_LIMIT
        options = options[: territory.SEARCH_LIMIT]
    else:
        message = _("Podaj kod TERYT województwa lub powiatu albo fragment nazwy gminy.")
        return JsonResponse({"detail": message}, status=400)
    response = JsonResponse({"options": options, "more": more})
    patch_cache_control(response, public=True, max_age=3600)
    return response
