"""Builders shared by the self-service tests: users in every role, with verified e-mail and, for moderators, TOTP."""

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from accounts.roles import MINISTRY_STAFF, REGIONAL_COORDINATOR
from cooperatives.models import CoordinatorAssignment, Membership
from tests.factories import UserFactory

PASSWORD = "haslo-testowe-123"
LODZKIE = "10"  # the factories' cooperatives are in Łódź
MAZOWIECKIE = "14"


def verified_user(**kwargs):
    user = UserFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def staff_user():
    user = verified_user()
    user.groups.add(Group.objects.get(name=MINISTRY_STAFF))
    TOTP.activate(user, generate_totp_secret())
    return user


def coordinator(*voivodeships: str):
    user = verified_user()
    user.groups.add(Group.objects.get(name=REGIONAL_COORDINATOR))
    TOTP.activate(user, generate_totp_secret())
    for code in voivodeships:
        CoordinatorAssignment.objects.create(user=user, voivodeship_id=code)
    return user


def representative(cooperative, role=Membership.Role.OWNER):
    user = verified_user()
    Membership.objects.create(user=user, cooperative=cooperative, role=role)
    return user


def pkd_post_data(activities) -> dict:
    """The profile form's PKD list (a formset) as posted: (code, version) rows."""
    data = {"pkd-TOTAL_FORMS": str(len(activities)), "pkd-INITIAL_FORMS": "0"}
    for index, (code, version) in enumerate(activities):
        data[f"pkd-{index}-code"] = code
        data[f"pkd-{index}-version"] = version
    return data


def profile_post_data(cooperative, **overrides) -> dict:
    """A complete, valid POST of the profile form based on the cooperative's current values."""
    data = {
        "version": cooperative.version,
        "description": cooperative.description,
        "email": cooperative.email,
        "phone": cooperative.phone,
        "website": cooperative.website,
        "street": cooperative.street,
        "postal_code": cooperative.postal_code,
        "town": cooperative.town,
        "gmina": cooperative.gmina_id,
        "latitude": "" if cooperative.latitude is None else str(cooperative.latitude),
        "longitude": "" if cooperative.longitude is None else str(cooperative.longitude),
        "members_count": cooperative.members_count or "",
        "employees_count": cooperative.employees_count or "",
        "employees_at_risk_count": ""
        if cooperative.employees_at_risk_count is None
        else cooperative.employees_at_risk_count,
        "counts_as_of": cooperative.counts_as_of.isoformat() if cooperative.counts_as_of else "",
    }
    activities = list(cooperative.activities.order_by("-is_main", "pk").values_list("code", "version"))
    data.update(pkd_post_data(overrides.pop("pkd", activities)))
    for flag in ("publish_email", "accepts_inquiries", "publish_phone", "publish_website"):
        if getattr(cooperative, flag):
            data[flag] = "on"
    data.update(overrides)
    return data
