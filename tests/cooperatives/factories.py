"""factory_boy factories of the registry. Identifiers are valid (checksums computed with python-stdnum)."""

import factory
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

from cooperatives.models import Cooperative, Membership, Offer, OfferCategory


def valid_nip(n: int) -> str:
    """A valid NIP derived from a sequence number (skips the prefixes whose check digit would be 10)."""
    seed = 100_000_000 + n * 7
    while True:
        for digit in "0123456789":
            if stdnum_nip.is_valid(f"{seed}{digit}"):
                return f"{seed}{digit}"
        seed += 1


def valid_regon(n: int) -> str:
    base = str(200_000_00 + n).rjust(8, "0")[:8]
    return base + stdnum_regon.calc_check_digit(base)


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"Spółdzielnia Socjalna Testowa {n}")
    krs_number = factory.Sequence(lambda n: f"{900_000_000 + n:010d}")
    nip = factory.Sequence(valid_nip)
    regon = factory.Sequence(valid_regon)
    founder_type = Cooperative.FounderType.NATURAL_PERSONS
    status = Cooperative.Status.ACTIVE
    postal_code = "90-001"
    town = "Łódź"
    gmina_id = "1061011"  # Łódź, gmina miejska


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    cooperative = factory.SubFactory(CooperativeFactory)
    title = factory.Sequence(lambda n: f"Usługa testowa {n}")
    category = factory.LazyFunction(lambda: OfferCategory.objects.get(slug="catering"))
    description = "Opis usługi."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cooperative = factory.SubFactory(CooperativeFactory)
    role = Membership.Role.OWNER
