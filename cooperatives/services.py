"""Writes of the registry's self-service: representation, profile and offer edits, moderation, history, inquiries.

Every function is keyword-only and atomic. Edits of a cooperative or an offer are optimistic: the caller passes the
version it read, the row is locked, and a save based on an older version is refused with what changed meanwhile.
"""

from __future__ import annotations

import contextlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import get_m2m_reverse_field_name

from accounts.identity import user_label
from core import site
from core.concurrency import lock_version
from core.mail import MAIL_ERRORS, deliver, get_connection, queue_mail
from core.models import OutgoingEmail
from core.text import days_text, hours_text

from . import selectors
from .models import (
    COOPERATIVE_HISTORY,
    OFFER_HISTORY,
    ChangeRequest,
    Cooperative,
    CooperativeActivity,
    CooperativePhoto,
    DeliveryStatus,
    ErrorReport,
    Inquiry,
    InquiryRecipient,
    Invitation,
    Membership,
    Offer,
    PkdVersion,
    RepresentationRequest,
    ReviewStatus,
)

logger = logging.getLogger(__name__)

REPRESENTATION_SALT = "cooperatives.representation-link"
INVITATION_SALT = "cooperatives.editor-invitation"
MAX_PHOTOS = 6


# --- Concurrency -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: object
    after: object
    before_text: str = ""
    after_text: str = ""


def display_value(model_field, value) -> str:
    """A stored value as people read it: choice labels, yes/no, a dash for empty."""
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("tak") if value else _("nie")
    return str(value)


HISTORY_M2M_FIELDS = {
    Cooperative: COOPERATIVE_HISTORY.m2m_fields,
    Offer: OFFER_HISTORY.m2m_fields,
}


def history_m2m_model(model, field: str):
    """simple-history's model of one many-to-many field's rows per historical record."""
    return model._meta.apps.get_model(model._meta.app_label, f"Historical{model._meta.object_name}_{field}")


def history_m2m_accessor(model, field: str) -> str:
    """The reverse accessor from a historical record to its rows of one many-to-many field (for prefetching)."""
    return history_m2m_model(model, field)._meta.get_field("history").remote_field.get_accessor_name()


def history_m2m_values(record, field: str) -> list:
    """The related objects a historical record holds for one many-to-many field (uses a prefetch if there is one)."""
    model = record.instance_type
    target = get_m2m_reverse_field_name(model._meta.get_field(field))
    values = []
    for row in getattr(record, history_m2m_accessor(model, field)).all():
        try:
            values.append(getattr(row, target))
        except ObjectDoesNotExist:
            continue  # a dictionary entry deleted since then; nothing to show or restore
    return [value for value in values if value is not None]


def _m2m_text(values) -> str:
    return ", ".join(sorted(str(value) for value in values)) or "—"


def history_diff(older, newer) -> list[FieldChange]:
    """Per-field differences between two historical records of the same object (older may be None)."""
    if older is None:
        return []
    model = newer.instance_type
    m2m_fields = HISTORY_M2M_FIELDS.get(model, ())
    delta = newer.diff_against(older, excluded_fields=["version", "created_at", *m2m_fields])
    changes = []
    for change in delta.changes:
        model_field = model._meta.get_field(change.field)
        changes.append(
            FieldChange(
                field=change.field,
                label=str(model_field.verbose_name),
                before=change.old,
                after=change.new,
                before_text=display_value(model_field, change.old),
                after_text=display_value(model_field, change.new),
            )
        )
    for field in m2m_fields:
        before, after = history_m2m_values(older, field), history_m2m_values(newer, field)
        if {value.pk for value in before} != {value.pk for value in after}:
            changes.append(
                FieldChange(
                    field=field,
                    label=str(model._meta.get_field(field).verbose_name),
                    before=sorted(value.pk for value in before),
                    after=sorted(value.pk for value in after),
                    before_text=_m2m_text(before),
                    after_text=_m2m_text(after),
                )
            )
    return changes


def _changes_since(obj, version: int) -> list[FieldChange]:
    base = obj.history.filter(version=version).order_by("-history_date").first()
    latest = obj.history.order_by("-history_date", "-history_id").first()
    if base is None or latest is None:
        return []
    return history_diff(base, latest)


def _lock(model, pk: int, expected_version: int):
    """The portal's stale-edit check (core.concurrency); `changes` come from the object's history."""
    return lock_version(model, pk, expected_version, changes=_changes_since)


def _set_m2m_unrecorded(obj, m2m: dict) -> None:
    # simple-history's m2m_changed handler would write a record per add/remove (without the user); the caller
    # records one version holding the final state instead.
    obj.skip_history_when_saving = True
    try:
        for field, values in m2m.items():
            getattr(obj, field).set(values)
    finally:
        del obj.skip_history_when_saving


def _save_with_history(obj, *, user, fields: set[str], reason: str = "", m2m: dict | None = None) -> None:
    """One attributed version: many-to-many values are set first, so the save's record holds them too."""
    # The row is locked (select_for_update) and its version checked, so a plain increment is safe here.
    obj.version += 1
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    _set_m2m_unrecorded(obj, m2m or {})
    obj.save(update_fields={*fields, "version", "updated_at"})


def _create_with_history(obj, *, m2m: dict, history_type: str = "+") -> None:
    """Insert a row, then set its many-to-many values, then record one version holding both."""
    obj.skip_history_when_saving = True
    try:
        obj.save()
    finally:
        del obj.skip_history_when_saving
    _set_m2m_unrecorded(obj, m2m)
    history = COOPERATIVE_HISTORY if isinstance(obj, Cooperative) else OFFER_HISTORY
    history.create_historical_record(obj, history_type)


# --- Profile and offers --------------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "description",
    "email",
    "phone",
    "website",
    "publish_email",
    "publish_phone",
    "publish_website",
    "accepts_inquiries",
    "street",
    "postal_code",
    "town",
    "gmina",
    "latitude",
    "longitude",
    "members_count",
    "employees_count",
    "employees_at_risk_count",
    "counts_as_of",
)


@transaction.atomic
def cooperative_update_profile(
    *,
    cooperative: Cooperative,
    user,
    expected_version: int,
    data: dict,
    target_groups=None,
    activities: list[tuple[str, str]] | None = None,
    logo=None,
) -> Cooperative:
    """Representatives' edits publish at once; identity fields are not accepted here (see change requests)."""
    coop = _lock(Cooperative, cooperative.pk, expected_version)
    changed = set()
    for field, value in data.items():
        if field not in PROFILE_FIELDS:
            raise ValueError(f"{field} is not a profile field")
        attr = "gmina_id" if field == "gmina" else field
        new = value.pk if field == "gmina" and value is not None else value
        if getattr(coop, attr) != new:
            setattr(coop, attr, new)
            changed.add(field)
    if {"latitude", "longitude"} & changed:
        coop.location_precision = Cooperative.LocationPrecision.EXACT if coop.latitude is not None else ""
        changed.add("location_precision")
    if logo is not None:
        old_logo = coop.logo.name
        coop.logo.save(logo.name, logo, save=False)
        changed.add("logo")
        if old_logo:
            transaction.on_commit(lambda: coop.logo.storage.delete(old_logo))
    _save_with_history(
        coop, user=user, fields=changed, m2m={"target_groups": target_groups} if target_groups is not None else None
    )
    if activities is not None:
        _replace_activities(cooperative=coop, activities=activities)
    return coop


def _replace_activities(*, cooperative: Cooperative, activities: list[tuple[str, str]]) -> None:
    """(code, version) pairs, PKD 2007 or PKD 2025 subclasses; the first is the main activity. Unchanged lists are
    left alone (the rows keep their identity)."""
    wanted = list(dict.fromkeys((code, PkdVersion(version)) for code, version in activities))
    held = list(cooperative.activities.order_by("-is_main", "pk").values_list("code", "version"))
    if held == wanted:
        return
    cooperative.activities.all().delete()
    CooperativeActivity.objects.bulk_create(
        CooperativeActivity(cooperative=cooperative, code=code, version=version, is_main=index == 0)
        for index, (code, version) in enumerate(wanted)
    )


@transaction.atomic
def cooperative_confirm_data(*, cooperative: Cooperative, user) -> Cooperative:
    """ "Moje dane są aktualne": one click stamps the profile as checked, without a new version."""
    coop = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    coop.verified_at = timezone.now()
    coop._history_user = user
    # Recorded in the history, but not a new version: a confirmation never conflicts with someone's edit.
    coop.save(update_fields=["verified_at", "updated_at"])
    return coop


OFFER_AREA_FIELDS = ("area_powiats", "area_voivodeships")


def _split_areas(data: dict) -> tuple[dict, dict]:
    scalars = {k: v for k, v in data.items() if k not in OFFER_AREA_FIELDS}
    areas = {k: v for k, v in data.items() if k in OFFER_AREA_FIELDS}
    return scalars, areas


def _check_areas(offer: Offer) -> None:
    """An offer for selected powiats or voivodeships names at least one (raising rolls the write back)."""
    if offer.service_area == Offer.ServiceArea.POWIATS and not offer.area_powiats.exists():
        raise ValidationError({"area_powiats": [_("Wybierz co najmniej jeden powiat.")]})
    if offer.service_area == Offer.ServiceArea.VOIVODESHIPS and not offer.area_voivodeships.exists():
        raise ValidationError({"area_voivodeships": [_("Wybierz co najmniej jedno województwo.")]})


@transaction.atomic
def offer_create(*, cooperative: Cooperative, user, data: dict) -> Offer:
    """`data` may carry area_powiats / area_voivodeships (the service area's units)."""
    scalars, areas = _split_areas(data)
    offer = Offer(cooperative=cooperative, **scalars)
    offer.full_clean()
    offer._history_user = user
    _create_with_history(offer, m2m=areas)
    _check_areas(offer)
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, user, expected_version: int, data: dict) -> Offer:
    locked = _lock(Offer, offer.pk, expected_version)
    scalars, areas = _split_areas(data)
    changed = set()
    for field, value in scalars.items():
        if getattr(locked, field) != value:
            setattr(locked, field, value)
            changed.add(field)
    locked.full_clean(exclude=["version"])
    _save_with_history(locked, user=user, fields=changed, m2m=areas)
    _check_areas(locked)
    return locked


@transaction.atomic
def offer_delete(*, offer: Offer, user) -> None:
    offer._history_user = user
    offer.delete()


@transaction.atomic
def photo_add(*, cooperative: Cooperative, image, alt_text: str) -> CooperativePhoto:
    """At most MAX_PHOTOS per cooperative; the cooperative's row is locked so parallel uploads cannot exceed it."""
    Cooperative.objects.select_for_update().filter(pk=cooperative.pk).values_list("pk", flat=True).first()
    if cooperative.photos.count() >= MAX_PHOTOS:
        raise ValidationError(_("Profil może mieć najwyżej %(max)d zdjęć.") % {"max": MAX_PHOTOS})
    photo = CooperativePhoto(cooperative=cooperative, alt_text=alt_text, sort_order=cooperative.photos.count())
    photo.image.save(image.name, image, save=False)
    photo.save()
    return photo


@transaction.atomic
def photo_delete(*, photo: CooperativePhoto) -> None:
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- History -------------------------------------------------------------------------------------------------


@transaction.atomic
def history_revert(*, record, user):
    """Restore an object to the state of a historical record; the revert is itself a new, attributed version."""
    model = record.instance_type
    current = model.objects.select_for_update().filter(pk=record.id).first()
    restored = record.instance
    # A deleted offer comes back under its old id (the deletion and the restore both stay in the history).
    restored.version = (current.version if current else record.version) + 1
    if model is Cooperative and current is not None:
        # Files of replaced logos are deleted, and a confirmation date is a fact, not content: both stay current.
        restored.logo = current.logo
        restored.verified_at = current.verified_at
    restored._history_user = user
    restored._change_reason = _("Przywrócenie stanu z %(date)s") % {
        "date": timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
    }
    # Many-to-many values come back too (target groups, founder kinds, service areas), in the same version.
    m2m = {field: history_m2m_values(record, field) for field in HISTORY_M2M_FIELDS[model]}
    if current is None:
        _create_with_history(restored, m2m=m2m)
    else:
        # `restored` is built from the record and not bound to a database yet; the locked row takes the values.
        _set_m2m_unrecorded(current, m2m)
        restored.save()
    return restored


# --- Representation -----------------------------------------------------------------------------------------


def _notify(subject: str, body: str, recipients: list[str], *, key: str = "") -> None:
    """Queues one message to the given addresses (sent by a worker after the commit; core/mail.py)."""
    recipients = [address for address in recipients if address]
    if recipients:
        queue_mail(subject, f"{body}\n\n{site.email_signature()}", recipients, key=key)


def moderator_emails(cooperative: Cooperative) -> list[str]:
    """Addresses of those who moderate the cooperative: ministry staff and its voivodeship's coordinators."""
    from django.db.models import Q

    from accounts.models import User
    from accounts.roles import MINISTRY_STAFF, REGIONAL_COORDINATOR

    users = User.objects.filter(is_active=True).filter(
        Q(groups__name=MINISTRY_STAFF)
        | Q(
            groups__name=REGIONAL_COORDINATOR,
            coordinator_assignments__voivodeship_id=cooperative.voivodeship_id,
        )
    )
    return sorted(set(users.values_list("email", flat=True)))


def _notify_moderators(*, cooperative: Cooperative, subject: str, url: str) -> None:
    body = _("Nowa sprawa do rozpatrzenia dotycząca spółdzielni %(cooperative)s:\n%(url)s") % {
        "cooperative": cooperative.name,
        "url": url,
    }
    recipients = moderator_emails(cooperative)

    def send():
        # Separate messages: moderators' addresses are not disclosed to each other.
        for address in recipients:
            _notify(subject, body, [address])

    transaction.on_commit(send)


def representation_link_token(request_obj: RepresentationRequest) -> str:
    return signing.dumps({"request": request_obj.pk}, salt=REPRESENTATION_SALT)


@transaction.atomic
def representation_request_create(
    *, user, cooperative: Cooperative, role_in_cooperative: str, message: str = "", document=None, build_url
) -> RepresentationRequest:
    """Stores the request and e-mails a confirmation link to the cooperative's registered address, if it has one.

    `build_url(path)` makes an absolute URL (the views pass core.site.absolute_url: BASE_URL).
    """
    if RepresentationRequest.objects.pending().filter(user=user, cooperative=cooperative).exists():
        raise ValidationError(_("Masz już oczekujący wniosek dotyczący tej spółdzielni."))
    request_obj = RepresentationRequest(
        user=user, cooperative=cooperative, role_in_cooperative=role_in_cooperative, message=message
    )
    if document is not None:
        request_obj.document.save(document.name, document, save=False)
    if cooperative.email:
        request_obj.link_sent_to = cooperative.email
        request_obj.link_sent_at = timezone.now()
    request_obj.save()
    _notify_moderators(
        cooperative=cooperative,
        subject=_("Wniosek o reprezentowanie spółdzielni"),
        url=build_url(reverse("selfservice:representation-review", kwargs={"pk": request_obj.pk})),
    )
    if cooperative.email:
        token = representation_link_token(request_obj)
        url = build_url(reverse("selfservice:representation-confirm", kwargs={"token": token}))
        hours = settings.PORTAL_REPRESENTATION_LINK_HOURS
        body = _(
            "Osoba %(user)s (%(email)s), podająca funkcję „%(role)s”, prosi o prawo do prowadzenia profilu "
            "spółdzielni %(cooperative)s w portalu.\n\n"
            "Jeśli ta osoba reprezentuje spółdzielnię, otwórz link i potwierdź (ważny przez %(validity)s, "
            "działa jeden raz):\n%(url)s\n\nJeśli nie znasz tej osoby, zignoruj tę wiadomość."
        ) % {
            "user": user,
            "email": user.email,
            "role": role_in_cooperative,
            "cooperative": cooperative.name,
            "validity": hours_text(hours),
            "url": url,
        }
        transaction.on_commit(
            lambda: _notify(_("Prośba o potwierdzenie przedstawiciela spółdzielni"), body, [cooperative.email])
        )
    return request_obj


class InvalidLink(Exception):
    """The confirmation link is forged, expired, or already used."""


def representation_request_from_token(token: str) -> RepresentationRequest:
    max_age = timedelta(hours=settings.PORTAL_REPRESENTATION_LINK_HOURS)
    try:
        payload = signing.loads(token, salt=REPRESENTATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidLink(_("Link wygasł. Poproś o nowy, składając wniosek ponownie.")) from None
    except signing.BadSignature:
        raise InvalidLink(_("Link jest nieprawidłowy.")) from None
    request_obj = (
        RepresentationRequest.objects.select_related("cooperative", "user").filter(pk=payload.get("request")).first()
    )
    # Single use: once decided (by this link or by a moderator) the link is spent.
    if request_obj is None or request_obj.status != ReviewStatus.PENDING:
        raise InvalidLink(_("Ten link został już wykorzystany lub wniosek rozpatrzono."))
    return request_obj


@transaction.atomic
def representation_confirm_by_link(*, token: str) -> RepresentationRequest:
    request_obj = representation_request_from_token(token)
    locked = RepresentationRequest.objects.select_for_update().get(pk=request_obj.pk)
    if locked.status != ReviewStatus.PENDING:
        raise InvalidLink(_("Ten link został już wykorzystany lub wniosek rozpatrzono."))
    return _representation_decide(
        request_obj=locked,
        reviewer=None,
        approve=True,
        reason=_("Potwierdzono linkiem wysłanym na adres e-mail spółdzielni."),
        verified_by=RepresentationRequest.VerifiedBy.EMAIL_LINK,
    )


@transaction.atomic
def representation_request_decide(
    *, request_obj: RepresentationRequest, reviewer, approve: bool, reason: str
) -> RepresentationRequest:
    """A moderator approves or rejects; the applicant is told the outcome and the reason by e-mail."""
    locked = RepresentationRequest.objects.select_for_update().get(pk=request_obj.pk)
    if locked.status != ReviewStatus.PENDING:
        raise ValidationError(_("Ten wniosek został już rozpatrzony."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Podaj powód odrzucenia; wnioskodawca go zobaczy.")})
    return _representation_decide(
        request_obj=locked,
        reviewer=reviewer,
        approve=approve,
        reason=reason,
        verified_by=RepresentationRequest.VerifiedBy.MODERATOR,
    )


def _representation_decide(*, request_obj, reviewer, approve, reason, verified_by) -> RepresentationRequest:
    request_obj.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    request_obj.reviewer = reviewer
    request_obj.reason = reason
    request_obj.decided_at = timezone.now()
    request_obj.verified_by = verified_by if approve else ""
    request_obj.save(update_fields=["status", "reviewer", "reason", "decided_at", "verified_by", "updated_at"])
    cooperative = request_obj.cooperative
    if approve:
        has_owner = cooperative.memberships.filter(role=Membership.Role.OWNER).exists()
        Membership.objects.get_or_create(
            user=request_obj.user,
            cooperative=cooperative,
            defaults={"role": Membership.Role.EDITOR if has_owner else Membership.Role.OWNER},
        )
        subject = _("Wniosek zatwierdzony: %(cooperative)s") % {"cooperative": cooperative.name}
        body = _("Możesz teraz prowadzić profil spółdzielni %(cooperative)s w swoim panelu.") % {
            "cooperative": cooperative.name
        }
    else:
        subject = _("Wniosek odrzucony: %(cooperative)s") % {"cooperative": cooperative.name}
        body = _("Twój wniosek o reprezentowanie spółdzielni %(cooperative)s odrzucono. Powód: %(reason)s") % {
            "cooperative": cooperative.name,
            "reason": reason,
        }
    recipient = request_obj.user.email
    transaction.on_commit(lambda: _notify(subject, body, [recipient]))
    return request_obj


# --- Memberships ---------------------------------------------------------------------------------------------


@transaction.atomic
def membership_invite(*, cooperative: Cooperative, email: str, invited_by, build_url) -> Membership | Invitation:
    """Owners add an editor by e-mail: an existing account is added at once, any other address gets an invitation.

    `build_url(path)` makes an absolute URL for the invitation link (the views pass core.site.absolute_url: BASE_URL).
    """
    from accounts.models import User

    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return invitation_create(cooperative=cooperative, email=email, invited_by=invited_by, build_url=build_url)
    membership, created = Membership.objects.get_or_create(
        user=user, cooperative=cooperative, defaults={"role": Membership.Role.EDITOR}
    )
    if not created:
        raise ValidationError({"email": _("Ta osoba już reprezentuje spółdzielnię.")})
    body = _("Dodano Cię jako redaktora profilu spółdzielni %(cooperative)s.") % {"cooperative": cooperative.name}
    transaction.on_commit(lambda: _notify(_("Dostęp do profilu spółdzielni"), body, [user.email]))
    return membership


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


@transaction.atomic
def invitation_create(*, cooperative: Cooperative, email: str, invited_by, build_url) -> Invitation:
    """Stores an invitation for an address without an account and e-mails it a single-use link."""
    email = email.strip().lower()
    # Lock the cooperative's row so two owners inviting the same address at once cannot both pass the check.
    Cooperative.objects.select_for_update().filter(pk=cooperative.pk).values_list("pk", flat=True).first()
    if Invitation.objects.filter(cooperative=cooperative, email=email, accepted_at__isnull=True).exists():
        raise ValidationError({"email": _("Zaproszenie na ten adres już czeka na przyjęcie.")})
    invitation = Invitation.objects.create(cooperative=cooperative, email=email, invited_by=invited_by)
    url = build_url(reverse("selfservice:invitation-accept", kwargs={"token": invitation_token(invitation)}))
    body = _(
        "%(inviter)s zaprasza Cię do prowadzenia profilu spółdzielni %(cooperative)s w portalu jako redaktor."
        "\n\nZałóż konto z tym adresem e-mail (%(email)s), potwierdź adres, a potem otwórz link (ważny przez "
        "%(validity)s, działa jeden raz):\n%(url)s\n\nJeśli nie spodziewasz się tego zaproszenia, zignoruj tę "
        "wiadomość."
    ) % {
        # The invitee is to join the inviter's cooperative: a representative is named, staff only by role.
        "inviter": user_label(invited_by, viewer=None, colleagues=frozenset({invited_by.pk})),
        "cooperative": cooperative.name,
        "email": email,
        "validity": days_text(Invitation.VALID_FOR.days),
        "url": url,
    }
    transaction.on_commit(lambda: _notify(_("Zaproszenie do profilu spółdzielni"), body, [email]))
    return invitation


def invitation_from_token(token: str, *, lock: bool = False) -> Invitation:
    """The invitation a link names, if the link is genuine, not expired, not cancelled and not used yet."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=Invitation.VALID_FOR)
    except signing.SignatureExpired:
        raise InvalidLink(_("Zaproszenie wygasło. Poproś właściciela profilu o nowe.")) from None
    except signing.BadSignature:
        raise InvalidLink(_("Link zaproszenia jest nieprawidłowy.")) from None
    queryset = Invitation.objects.select_related("cooperative")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(pk=payload.get("invitation")).first()
    if invitation is None:
        raise InvalidLink(_("To zaproszenie zostało anulowane."))
    if invitation.accepted_at is not None:
        raise InvalidLink(_("To zaproszenie zostało już wykorzystane."))
    return invitation


class WrongInvitee(Exception):
    """A genuine invitation opened by a user without the invited, verified e-mail address."""


def invitation_check_user(invitation: Invitation, user) -> None:
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise WrongInvitee(
            _(
                "To zaproszenie wysłano na adres %(email)s. Zaloguj się na konto z tym adresem (potwierdzonym) "
                "albo załóż je i potwierdź adres, a potem otwórz link ponownie."
            )
            % {"email": invitation.email}
        )


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """The invited person, signed in with the invited address verified, becomes an editor; the link is used up."""
    invitation = invitation_from_token(token, lock=True)
    invitation_check_user(invitation, user)
    membership, _created = Membership.objects.get_or_create(
        user=user, cooperative=invitation.cooperative, defaults={"role": Membership.Role.EDITOR}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def invitation_cancel(*, invitation: Invitation) -> None:
    """A pending invitation is deleted, which voids its link; an accepted one is history and stays."""
    locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if locked is None:
        return
    if locked.accepted_at is not None:
        raise ValidationError(_("Zaproszenie zostało już przyjęte; odbierz dostęp na liście przedstawicieli."))
    locked.delete()


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """The last owner cannot leave: a cooperative with representatives always has someone who manages them."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Membership.Role.OWNER:
        # Lock every owner row, so two owners leaving at once cannot both pass this check.
        owners = list(
            Membership.objects.select_for_update()
            .filter(cooperative_id=locked.cooperative_id, role=Membership.Role.OWNER)
            .values_list("pk", flat=True)
        )
        if len(owners) <= 1:
            raise ValidationError(_("Nie można usunąć ostatniego właściciela profilu."))
    locked.delete()


# --- Change requests ----------------------------------------------------------------------------------------


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@transaction.atomic
def change_request_create(
    *, cooperative: Cooperative, user, proposed: dict, justification: str, build_url
) -> ChangeRequest:
    """Only the identity fields that differ from the current values are stored; the moderators are e-mailed."""
    previous = {field: _jsonable(getattr(cooperative, field)) for field in ChangeRequest.IDENTITY_FIELDS}
    proposed = {
        field: _jsonable(value)
        for field, value in proposed.items()
        if field in ChangeRequest.IDENTITY_FIELDS and _jsonable(value) != previous[field]
    }
    if not proposed:
        raise ValidationError(_("Nie zmieniono żadnej wartości."))
    change = ChangeRequest.objects.create(
        cooperative=cooperative,
        requested_by=user,
        proposed=proposed,
        previous={field: previous[field] for field in proposed},
        base_version=cooperative.version,
        justification=justification,
    )
    _notify_moderators(
        cooperative=cooperative,
        subject=_("Wniosek o zmianę danych rejestrowych"),
        url=build_url(reverse("selfservice:change-review", kwargs={"pk": change.pk})),
    )
    return change


@transaction.atomic
def change_request_decide(*, change_request: ChangeRequest, reviewer, approve: bool, reason: str) -> ChangeRequest:
    """Approval applies the proposed values as a new, attributed version; the requester is e-mailed either way."""
    locked = (
        ChangeRequest.objects.select_for_update()
        .select_related("cooperative", "requested_by")
        .get(pk=change_request.pk)
    )
    if locked.status != ReviewStatus.PENDING:
        raise ValidationError(_("Ten wniosek został już rozpatrzony."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Podaj powód odrzucenia; wnioskodawca go zobaczy.")})
    cooperative = locked.cooperative
    if approve:
        coop = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
        for field, value in locked.proposed.items():
            setattr(coop, field, value)
        # Validate the identity fields together (uniqueness and the PS constraint span several of them); other
        # fields are not touched by the request, so old data elsewhere never blocks a decision.
        coop.full_clean(
            exclude=[f.name for f in Cooperative._meta.fields if f.name not in ChangeRequest.IDENTITY_FIELDS]
        )
        _save_with_history(
            coop,
            user=reviewer,
            fields=set(locked.proposed),
            reason=_("Wniosek o zmianę danych nr %(pk)d") % {"pk": locked.pk},
        )
    locked.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    locked.reviewer = reviewer
    locked.reason = reason
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reviewer", "reason", "decided_at", "updated_at"])
    outcome = _("zatwierdzony") if approve else _("odrzucony")
    subject = _("Wniosek o zmianę danych %(cooperative)s: %(outcome)s") % {
        "cooperative": cooperative.name,
        "outcome": outcome,
    }
    body = _("Twój wniosek o zmianę danych rejestrowych spółdzielni %(cooperative)s został %(outcome)s.") % {
        "cooperative": cooperative.name,
        "outcome": outcome,
    }
    if reason:
        body += "\n\n" + _("Uzasadnienie: %(reason)s") % {"reason": reason}
    recipient = locked.requested_by.email
    transaction.on_commit(lambda: _notify(subject, body, [recipient]))
    return locked


# --- Error reports and inquiries ------------------------------------------------------------------------------


@transaction.atomic
def error_report_create(*, cooperative: Cooperative, message: str, reporter_email: str = "") -> ErrorReport:
    return ErrorReport.objects.create(cooperative=cooperative, message=message, reporter_email=reporter_email)


@transaction.atomic
def error_report_resolve(*, report: ErrorReport, user) -> ErrorReport:
    report.status = ErrorReport.Status.RESOLVED
    report.resolved_by = user
    report.resolved_at = timezone.now()
    report.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])
    return report


def _header_text(text: str) -> str:
    """Text a buyer typed, fit for an e-mail header: control characters and line breaks become single spaces."""
    return " ".join("".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).split())


def _inquiry_text(inquiry: Inquiry) -> str:
    return _(
        "Czego dotyczy: %(subject)s\nOpis: %(details)s\nMiejsce: %(place)s\nTermin: %(timeframe)s\n"
        "Budżet: %(budget)s\n\nKontakt: %(contact_name)s, %(organisation)s\nE-mail: %(contact_email)s\n"
        "Telefon: %(contact_phone)s"
    ) % {
        "subject": inquiry.subject,
        "details": inquiry.details,
        "place": inquiry.place,
        "timeframe": inquiry.timeframe,
        "budget": inquiry.budget or "-",
        "contact_name": inquiry.contact_name,
        "organisation": inquiry.organisation or "-",
        "contact_email": inquiry.contact_email,
        "contact_phone": inquiry.contact_phone or "-",
    }


def _inquiry_message_to_cooperative(inquiry: Inquiry, cooperative: Cooperative, *, build_url) -> tuple[str, str]:
    """Subject and body of the message a cooperative receives (in Polish: the registry's language)."""
    with translation.override("pl"):
        subject = _("Zapytanie ofertowe: %(subject)s") % {"subject": _header_text(inquiry.subject)}
        body = "\n\n".join(
            [
                _(
                    "Zapytanie ofertowe do spółdzielni %(cooperative)s, wysłane przez portal. "
                    "Aby odpowiedzieć pytającemu, odpowiedz na tę wiadomość."
                )
                % {"cooperative": cooperative.name},
                _inquiry_text(inquiry),
                _("Zapytanie w panelu spółdzielni (po zalogowaniu): %(url)s")
                % {"url": build_url(reverse("selfservice:inquiry-detail", args=[inquiry.pk]))},
                _(
                    "Otrzymujecie tę wiadomość, bo spółdzielnia przyjmuje zapytania ofertowe przez portal. Portal "
                    "nie pokazuje pytającemu tego adresu. Z przyjmowania zapytań można zrezygnować w profilu "
                    "spółdzielni w panelu: %(url)s"
                )
                % {"url": build_url(reverse("selfservice:cooperative-edit", args=[cooperative.krs_number]))},
                site.email_signature(),
            ]
        )
    return subject, body


def _inquiry_copy(inquiry: Inquiry, recipients: list[InquiryRecipient], *, build_url) -> tuple[str, str]:
    """The buyer's copy: the inquiry and, per cooperative, what happened (published contacts only)."""
    lines = []
    for recipient in recipients:
        coop = recipient.cooperative
        if recipient.is_delivered:
            lines.append(_("- %(name)s: wysłano.") % {"name": coop.name})
            continue
        line = _("- %(name)s: nie dostarczono (%(reason)s).") % {
            "name": coop.name,
            "reason": recipient.get_status_display(),
        }
        if coop.public_phone:
            line += " " + _("Telefon: %(phone)s.") % {"phone": coop.public_phone}
        if coop.public_email:
            line += " " + _("E-mail: %(email)s.") % {"email": coop.public_email}
        line += " " + _("Profil: %(url)s") % {"url": build_url(coop.get_absolute_url())}
        lines.append(line)
    subject = _("Kopia: zapytanie ofertowe: %(subject)s") % {"subject": _header_text(inquiry.subject)}
    body = "\n\n".join(
        [
            _("Kopia zapytania wysłanego przez portal."),
            _("Gdzie trafiło zapytanie:") + "\n" + "\n".join(lines),
            _inquiry_text(inquiry),
            _("Dane z zapytania przechowujemy przez %(days)s, potem je usuwamy.")
            % {"days": days_text(settings.PORTAL_INQUIRY_RETENTION_DAYS)},
            site.email_signature(),
        ]
    )
    return subject, body


def _inquiry_group(inquiry_id: int, cooperative_id: int) -> str:
    return f"inquiry:{inquiry_id}:{cooperative_id}"


@transaction.atomic
def inquiry_send(*, cooperatives: list[Cooperative], data: dict, build_url) -> Inquiry:
    """Stores one inquiry and queues it for each cooperative that accepts inquiries: to its registry address
    (published or not; never shown to the buyer) and to its representatives, one message per address, with
    Reply-To the buyer. A cooperative that opted out or has no address is recorded as such at once; the others stay
    `pending` until the task (cooperatives.tasks.deliver_inquiry, after the commit) has tried: then each status is
    what really happened (sent when the mail server accepted at least one of its messages), and the buyer gets a
    copy listing where the inquiry went. `build_url` makes a path absolute.
    """
    routes = selectors.inquiry_routes(cooperatives=cooperatives)
    inquiry = Inquiry.objects.create(**data)
    now = timezone.now()
    InquiryRecipient.objects.bulk_create(
        InquiryRecipient(
            inquiry=inquiry,
            cooperative=route.cooperative,
            status=route.status,
            status_at=None if route.can_be_sent else now,
        )
        for route in routes
    )
    for route in routes:
        if not route.can_be_sent:
            continue
        subject, body = _inquiry_message_to_cooperative(inquiry, route.cooperative, build_url=build_url)
        group = _inquiry_group(inquiry.pk, route.cooperative.pk)
        for address in route.addresses:
            queue_mail(
                subject,
                body,
                [address],
                reply_to=[inquiry.contact_email],
                key=f"{group}:{address}",
                group=group,
                enqueue=False,
            )
    from .tasks import deliver_inquiry

    transaction.on_commit(lambda: deliver_inquiry.delay(inquiry.pk))
    return inquiry


def inquiry_deliver(*, inquiry_id: int, build_url, give_up: bool) -> bool:
    """Sends what is still queued of an inquiry (one connection for all), records each cooperative's outcome, then
    sends the buyer's copy. Returns False when a transient fault leaves something to try again later (never with
    `give_up`, which records such a fault as a failure). Safe to run again: sent messages are never sent twice."""
    inquiry = Inquiry.objects.filter(pk=inquiry_id).first()
    if inquiry is None:  # purged meanwhile
        return True
    recipients = list(inquiry.recipients.select_related("cooperative", "cooperative__voivodeship"))
    complete = True
    connection = get_connection(fail_silently=False)
    with contextlib.suppress(*MAIL_ERRORS):
        connection.open()  # if the server is down, each message tries again and records its own failure
    try:
        for recipient in recipients:
            if recipient.status != DeliveryStatus.PENDING:
                continue
            emails = OutgoingEmail.objects.filter(group=_inquiry_group(inquiry.pk, recipient.cooperative_id))
            outcomes = {
                email.to[0]: deliver(email.pk, connection=connection, give_up=give_up)
                for email in emails.order_by("pk")
            }
            if None in outcomes.values():
                complete = False
                continue
            delivered = [address for address, sent in outcomes.items() if sent]
            recipient.status = DeliveryStatus.SENT if delivered else DeliveryStatus.FAILED
            recipient.status_at = timezone.now()
            registry_address = recipient.cooperative.email
            recipient.emailed_to = registry_address if registry_address in delivered else ""
            recipient.save(update_fields=["status", "status_at", "emailed_to"])
        if not complete:
            return False
        if inquiry.copy_status == DeliveryStatus.PENDING:
            subject, body = _inquiry_copy(inquiry, recipients, build_url=build_url)
            copy = queue_mail(subject, body, [inquiry.contact_email], key=f"inquiry:{inquiry.pk}:copy", enqueue=False)
            sent = deliver(copy.pk, connection=connection, give_up=give_up)
            if sent is None:
                return False
            inquiry.copy_status = DeliveryStatus.SENT if sent else DeliveryStatus.FAILED
            inquiry.save(update_fields=["copy_status", "updated_at"])
    finally:
        with contextlib.suppress(*MAIL_ERRORS):
            connection.close()
    return True


@transaction.atomic
def inquiry_purge(*, older_than_days: int) -> int:
    """Deletes inquiries (buyers' personal data) older than the retention period; returns how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    _total, per_model = Inquiry.objects.filter(created_at__lt=cutoff).delete()
    return per_model.get(Inquiry._meta.label, 0)


def stale_cooperatives_notify(*, cooperatives, build_url) -> int:
    """E-mails the representatives of each given cooperative a reminder to confirm its data; returns the count."""
    sent = 0
    for coop in cooperatives:
        recipients = [m.user.email for m in coop.memberships.all()]
        if not recipients:
            continue
        url = build_url(reverse("selfservice:cooperative-edit", kwargs={"krs": coop.krs_number}))
        body = _(
            "Dane spółdzielni %(cooperative)s nie były potwierdzane od ponad roku. Sprawdź je i kliknij "
            "„Moje dane są aktualne”:\n%(url)s"
        ) % {"cooperative": coop.name, "url": url}
        # One reminder per cooperative and day, however often this runs (a re-delivered task sends nothing twice).
        key = f"stale-cooperative:{coop.pk}:{timezone.localdate().isoformat()}"
        _notify(_("Prosimy o potwierdzenie danych spółdzielni"), body, recipients, key=key)
        sent += 1
    return sent
