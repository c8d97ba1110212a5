"""Templates keep to the Content-Security-Policy: no inline scripts, styles or event handlers.

The policy (script-src/style-src 'self', no 'unsafe-inline') would make a browser ignore them, so a page using them
would silently break. Two nets: every template file in the project is scanned, and the public pages (and the
representative's pages that once had inline styles) are rendered and their HTML checked.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from tests.cooperatives.factories import CooperativeFactory, MembershipFactory, OfferFactory
from tests.factories import UserFactory
from tests.monitoring.conftest import make_wave
from tests.publications.factories import PublicationFactory
from tests.trainings.factories import CertificateFactory, TrainingFactory

DATA_BLOCK_TYPES = {"application/ld+json", "application/json"}


class InlineCodeFinder(HTMLParser):
    """Collects what the CSP blocks: inline <script>/<style> without a nonce, style="" and on*="" attributes.

    JSON-LD is a data block, not script: browsers never execute it, so CSP does not apply to it."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in attributes:
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            elif name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
        if "nonce" in attributes:
            return
        if tag == "script" and not attributes.get("src") and attributes.get("type") not in DATA_BLOCK_TYPES:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "a" and (attributes.get("href") or "").strip().lower().startswith("javascript:"):
            self.problems.append("javascript: link")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def test_the_finder_catches_what_the_policy_blocks():
    assert inline_code('<p style="color:red">x</p>') == ["<p style=...>"]
    assert inline_code("<script>alert(1)</script>") == ["inline <script>"]
    assert inline_code('<button onclick="go()">x</button>') == ["<button onclick=...>"]
    assert inline_code("<style>p{}</style>") == ["<style> element"]
    assert inline_code('<script nonce="abc">ok()</script><script src="/static/x.js"></script>') == []
    assert inline_code('<script type="application/ld+json">{}</script>') == []


def template_files():
    return sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_template_source_has_no_inline_code(path):
    # Template tags inside attribute values are harmless for the parser; the markup itself is what counts.
    assert inline_code(path.read_text(encoding="utf-8")) == []


@pytest.fixture
def site(db):
    cooperative = CooperativeFactory(latitude="51.7592", longitude="19.4560")
    offer = OfferFactory(cooperative=cooperative)
    publication = PublicationFactory()
    training = TrainingFactory()
    certificate = CertificateFactory()
    wave = make_wave()
    return {
        "cooperative": cooperative,
        "offer": offer,
        "publication": publication,
        "training": training,
        "certificate": certificate,
        "wave": wave,
    }


def public_pages(site) -> list[str]:
    krs = site["cooperative"].krs_number
    return [
        reverse("cooperatives:home"),
        reverse("cooperatives:list"),
        reverse("cooperatives:detail", kwargs={"krs": krs}),
        reverse("cooperatives:offers"),
        reverse("cooperatives:offer-detail", kwargs={"pk": site["offer"].pk}),
        reverse("cooperatives:map"),
        reverse("cooperatives:open-data"),
        reverse("monitoring:index"),
        reverse("publications:index"),
        reverse("publications:detail", kwargs={"slug": site["publication"].slug}),
        reverse("trainings:index"),
        reverse("trainings:detail", kwargs={"pk": site["training"].pk}),
        reverse("trainings:certificate-verify", kwargs={"code": site["certificate"].verification_code}),
        reverse("selfservice:inquiry"),
        reverse("selfservice:report-error", kwargs={"krs": krs}),
        reverse("core:accessibility-statement"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("api-docs"),
        "/en/",
        "/nie-ma-takiej-strony/",
    ]


def test_rendered_public_pages_have_no_inline_code_and_carry_the_policy(client, site):
    for url in public_pages(site):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert "unsafe-inline" not in response["Content-Security-Policy"], url
        assert inline_code(response.content.decode()) == [], url


def test_cooperative_page_json_ld_is_a_data_block(client, site):
    html = client.get(reverse("cooperatives:detail", kwargs={"krs": site["cooperative"].krs_number})).content.decode()
    assert '<script type="application/ld+json">' in html


def test_forms_with_errors_have_no_inline_code(client, site):
    response = client.post(reverse("account_login"), {"login": "nie-ma@example.org", "password": "x"})
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []
    response = client.post(reverse("selfservice:inquiry"), {})
    assert inline_code(response.content.decode()) == []


def test_representative_pages_have_no_inline_code(client, site):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    MembershipFactory(cooperative=site["cooperative"], user=user)
    client.force_login(user)
    krs = site["cooperative"].krs_number
    for url in (
        reverse("selfservice:dashboard"),
        reverse("selfservice:cooperative-edit", kwargs={"krs": krs}),
        reverse("selfservice:photos", kwargs={"krs": krs}),
        reverse("selfservice:members", kwargs={"krs": krs}),
        reverse("monitoring:my-surveys"),
        reverse("mfa_index"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url
