"""Reads of the self-service pages: the dashboard, the moderation desk, history, stale profiles.

Kept apart from selectors.py (the public catalogue's reads) so the two areas change independently.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.identity import prime_roles, sees_identities, user_label
from accounts.roles import is_ministry_staff
from core.params import is_digits

from .models import (
    ChangeRequest,
    Cooperative,
    DeliveryStatus,
    ErrorReport,
    Inquiry,
    InquiryRecipient,
    Invitation,
    Membership,
    Offer,
    RepresentationRequest,
    TerritorialUnit,
)
from .permissions import coordinated_voivodeships
from .services import HISTORY_M2M_FIELDS, history_diff, history_m2m_accessor, history_m2m_model


def dashboard_memberships(*, user):
    return Membership.objects.filter(user=user).select_related("cooperative").order_by("cooperative__name")


def dashboard_inquiries(*, user, limit: int = 20):
    """Inquiries addressed to any cooperative the user represents, newest first (not those its cooperative
    declined by opting out of inquiries: they were never relayed to it)."""
    return (
        Inquiry.objects.filter(
            recipients__cooperative__memberships__user=user,
            recipients__status__in=INQUIRY_RELAYED_STATUSES,
        )
        .distinct()
        .prefetch_related(Prefetch("recipients", queryset=InquiryRecipient.objects.select_related("cooperative")))
        .order_by("-created_at")[:limit]
    )


# Statuses of an inquiry recipient whose representatives may read the inquiry (an opted-out cooperative was not
# sent the buyer's data).
INQUIRY_RELAYED_STATUSES = tuple(status for status in DeliveryStatus.values if status != DeliveryStatus.OPTED_OUT)


def inquiry_result_recipients(*, inquiry):
    """An inquiry's recipients with the cooperatives' public contacts, in name order."""
    return list(
        inquiry.recipients.select_related("cooperative").order_by("cooperative__name", "cooperative__krs_number")
    )


def pending_invitations(*, cooperative, viewer) -> list[Invitation]:
    """Invitations not accepted yet (expired ones too, so owners can cancel and re-send them), newest first; each
    with `inviter_label`, the inviter as `viewer` may see them (accounts.identity)."""
    invitations = list(
        Invitation.objects.filter(cooperative=cooperative, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )
    labels = author_labels([i.invited_by for i in invitations], cooperative=cooperative, viewer=viewer)
    for invitation in invitations:
        invitation.inviter_label = labels(invitation.invited_by)
    return invitations


def representative_ids(cooperative) -> frozenset[int]:
    """Accounts that represent the cooperative now: they see each other by name in its history."""
    return frozenset(Membership.objects.filter(cooperative=cooperative).values_list("user_id", flat=True))


def author_labels(users, *, cooperative, viewer):
    """A function user -> the text `viewer` sees for that user on the cooperative's pages (accounts.identity); the
    roles of all `users` and the cooperative's representatives are read in two queries, whatever the count."""
    if sees_identities(viewer):
        return lambda user: user_label(user, viewer=viewer)
    prime_roles(users)
    colleagues = representative_ids(cooperative)
    return lambda user: user_label(user, viewer=viewer, colleagues=colleagues)


def user_requests(*, user):
    return RepresentationRequest.objects.filter(user=user).select_related("cooperative").order_by("-created_at")


def cooperative_lookup(*, query: str, limit: int = 20):
    query = query.strip()
    queryset = Cooperative.objects.select_related("gmina").only("name", "krs_number", "town", "gmina__name")
    if is_digits(query):
        # A full KRS number matches exactly; a fragment (leading zeros dropped) matches inside the number.
        if len(query) == 10:
            return queryset.filter(krs_number=query)[:limit]
        return queryset.filter(krs_number__contains=query)[:limit]
    return queryset.filter(name__icontains=query)[:limit]


def moderated_voivodeships(*, user):
    """The voivodeships whose cooperatives the user moderates (all for ministry staff)."""
    voivodeships = TerritorialUnit.objects.voivodeships().order_by("name")
    if is_ministry_staff(user):
        return voivodeships
    return voivodeships.filter(code__in=coordinated_voivodeships(user))


def _scope(queryset, *, user, voivodeship: str | None):
    if not is_ministry_staff(user):
        queryset = queryset.filter(cooperative__voivodeship_id__in=coordinated_voivodeships(user))
    if voivodeship:
        queryset = queryset.filter(cooperative__voivodeship_id=voivodeship)
    return queryset


def moderation_desk(*, user, voivodeship: str | None = None) -> dict:
    """Pending work in the user's area: representation requests, change requests, open error reports."""
    related = ("cooperative", "cooperative__voivodeship")
    return {
        "representation_requests": _scope(
            RepresentationRequest.objects.pending().select_related("user", *related), user=user, voivodeship=voivodeship
        ).order_by("created_at"),
        "change_requests": _scope(
            ChangeRequest.objects.pending().select_related("requested_by", *related), user=user, voivodeship=voivodeship
        ).order_by("created_at"),
        "error_reports": _scope(
            ErrorReport.objects.filter(status=ErrorReport.Status.OPEN).select_related(*related),
            user=user,
            voivodeship=voivodeship,
        ).order_by("created_at"),
    }


def change_request_diff(change_request: ChangeRequest) -> list[dict]:
    """Before (when requested), now, and proposed value of every field the request changes."""
    cooperative = change_request.cooperative
    rows = []
    for field, proposed in change_request.proposed.items():
        model_field = Cooperative._meta.get_field(field)
        current = getattr(cooperative, field)
        rows.append(
            {
                "label": model_field.verbose_name,
                "before": change_request.previous.get(field),
                "current": current.isoformat() if hasattr(current, "isoformat") else current,
                "after": proposed,
            }
        )
    return rows


def _entries(records: list, limit: int) -> list[dict]:
    """Records newest first -> entries with the per-field changes against the record before each."""
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        entries.append({"record": record, "changes": history_diff(previous, record)})
    return entries


def _history_m2m_prefetches(model) -> list[Prefetch]:
    """One query per many-to-many field for all records of a page, with the related names joined in."""
    prefetches = []
    for field in HISTORY_M2M_FIELDS[model]:
        accessor = history_m2m_accessor(model, field)
        m2m_history = history_m2m_model(model, field)
        target = model._meta.get_field(field).m2m_reverse_field_name()
        prefetches.append(Prefetch(accessor, queryset=m2m_history.objects.select_related(target)))
    return prefetches


def cooperative_history(cooperative, *, viewer) -> dict:
    """The history page: the profile's entries and each offer's, every entry with `author`, who made the change
    as `viewer` may see them (accounts.identity; the authors' roles in one query for the whole page)."""
    entries = object_history(cooperative)
    offer_entries = offers_history(cooperative)
    every_entry = entries + [entry for item in offer_entries for entry in item["entries"]]
    labels = author_labels(
        [entry["record"].history_user for entry in every_entry], cooperative=cooperative, viewer=viewer
    )
    for entry in every_entry:
        entry["author"] = labels(entry["record"].history_user)
    return {"entries": entries, "offer_entries": offer_entries}


def object_history(obj, *, limit: int = 50) -> list[dict]:
    """Historical records newest first, each with its per-field changes against the record before it."""
    records = list(
        obj.history.select_related("history_user")
        .prefetch_related(*_history_m2m_prefetches(type(obj)))
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    return _entries(records, limit)


def offers_history(cooperative, *, limit: int = 20) -> list[dict]:
    """The history of every offer the cooperative has or had (deleted ones too), in one query."""
    records = (
        Offer.history.filter(cooperative_id=cooperative.pk)
        .select_related("history_user")
        .prefetch_related(*_history_m2m_prefetches(Offer))
        .order_by("id", "-history_date", "-history_id")
    )
    by_offer: dict[int, list] = {}
    for record in records:
        by_offer.setdefault(record.id, []).append(record)
    items = [
        {"title": recs[0].title, "is_deleted": recs[0].history_type == "-", "entries": _entries(recs, limit)}
        for recs in by_offer.values()
    ]
    return sorted(items, key=lambda item: item["title"])


def stale_cooperatives(*, user=None, now=None):
    """Cooperatives with representatives whose data was not confirmed for PORTAL_STALE_AFTER_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PORTAL_STALE_AFTER_DAYS)
    queryset = (
        Cooperative.objects.filter(memberships__isnull=False)
        .filter(Q(verified_at__isnull=True) | Q(verified_at__lt=cutoff))
        .exclude(status=Cooperative.Status.DELETED)
        .distinct()
        .select_related("voivodeship")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("user")))
        .order_by("verified_at", "name")
    )
    if user is not None and not is_ministry_staff(user):
        queryset = queryset.filter(voivodeship_id__in=coordinated_voivodeships(user))
    return queryset
