"""axe-core (tests/e2e/vendor/axe-core, version in vendor/README.md) on every page template: WCAG 2.0/2.1 A and AA.

One test builds a small world (cooperatives, requests, survey waves, trainings, publications) and visits every page
as the user who sees it, including forms showing their errors, collecting every violation before failing. Django
reports each template it renders (the test instrumentation's template_rendered signal, sent from the live server's
thread), so the coverage test below proves each template under templates/ was on a scanned page, or is excluded
here with a reason. Users are signed in with a session cookie from Client.force_login (staff skip the TOTP form,
which test_journeys.py exercises).
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import MINISTRY_STAFF
from cooperatives import services as cooperative_services
from cooperatives.models import ChangeRequest, Cooperative, RepresentationRequest
from exportjobs.models import ExportJob
from monitoring.models import AnswerImport, Wave
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.cooperatives.selfservice_helpers import PASSWORD, representative, staff_user, verified_user
from tests.monitoring.conftest import make_wave
from tests.monitoring.test_services import save as survey_save
from tests.publications.factories import PdfEditionFactory, PublicationFactory
from tests.trainings.factories import (
    CertificateFactory,
    EnrolmentFactory,
    TrainingFactory,
    TrainingSessionFactory,
    completed_training_with_attendance,
)
from trainings import services as training_services

from .conftest import ARTIFACTS_DIR, AXE_JS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("territory", "seed_dictionaries")]

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Templates no scanned page shows, and why.
EXCLUDED_TEMPLATES = {
    "503.html": "only when a statement timeout cancels a page's query; like 500.html, without context",
    "429.html": "only when allauth's rate limits refuse (or the cache is down); base.html with a heading and a line",
    "core/export_unavailable.html": "a download's 503 when the database does not answer; a static copy of the layout "
    "like 500.html (tests/core/test_export_failures.py renders it)",
    "placeholder.html": "not used by any view (left from the first skeleton)",
    "trainings/email/promoted.txt": "plain-text e-mail body, not a page",
    "trainings/email/registered.txt": "plain-text e-mail body, not a page",
    "trainings/email/training_cancelled.txt": "plain-text e-mail body, not a page",
    "trainings/email/waitlisted.txt": "plain-text e-mail body, not a page",
    "trainings/email/confirm_email.txt": "plain-text e-mail body, not a page",
    "trainings/email/certificate_issued.txt": "plain-text e-mail body, not a page",
    "account/email/base_message.txt": "plain-text frame of allauth's e-mails (site name and address), not a page",
    "core/swagger_ui.html": "third-party Swagger UI; declared as not assessed in the accessibility statement",
    "cooperatives/selfservice/invitation_accept.html": "needs a signed invitation token; not scanned yet (to add)",
    "exportjobs/offer.html": "only above the background-export thresholds; not scanned yet (to add)",
    "exportjobs/offer_invalid.html": "only for a forged or stale export offer; not scanned yet (to add)",
}

AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), html: n.html.slice(0, 300)})),
  }));
}"""


@dataclass
class Visit:
    label: str
    url: str
    who: str = "anonymous"
    then: Callable | None = None  # an action on the loaded page (e.g. submit an invalid form) before the scan
    status: int | None = 200
    fulfil: Callable | None = None  # the response to serve at `url` instead of asking the live server


def server_error_page():
    """The 500 page exactly as core.errors.server_error renders it (no view fails on purpose in the live server)."""
    from django.test import RequestFactory

    from core.errors import server_error

    return server_error(RequestFactory().get("/blad/")).content


def fulfilment(status: int, body: bytes):
    def handle(route):
        route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")

    return handle


def fail_csrf(page):
    """Submits the page's main form with a forged CSRF token, as a stale page or another site would."""
    page.evaluate(
        "document.querySelectorAll('form').forEach(f => f.noValidate = true);"
        "document.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(i => i.value = 'x'.repeat(64));"
    )
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    assert page.locator("main h1").inner_text() == "Nie udało się wysłać formularza", page.url


def submit_invalid(fields: dict | None = None, *, button: str = "main form[method=post] button[type=submit]"):
    """Fills `fields` with invalid values and submits without the browser's own validation getting in the way."""

    def action(page):
        page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        for name, value in (fields or {}).items():
            page.locator(f'main [name="{name}"]').first.fill(value)
        with page.expect_navigation():
            page.locator(button).first.click()
        assert page.locator("main .error-summary, main [role=alert], main .errorlist").count(), page.url

    return action


def submit_valid(fields: dict):
    def action(page):
        for name, value in fields.items():
            page.locator(f'main [name="{name}"]').first.fill(value)
        with page.expect_navigation():
            page.locator("main form[method=post] button[type=submit]").first.click()

    return action


def larger_and_contrast(page):
    """Chooses the largest text and high contrast on the settings page, then opens the privacy page."""
    page.check("#text-larger")
    page.check("#contrast-high")
    with page.expect_navigation():
        page.locator("main form.display-settings button[type=submit]").first.click()
    page.goto(reverse("core:privacy"))
    assert page.locator("html").get_attribute("class") == "text-larger contrast-high"
    # This page keeps its classes; the pages scanned after it get the default look again.
    page.context.clear_cookies(name="portal_display")


def shortlist_two(page):
    """Adds the first two cooperatives of the catalogue to the shortlist and opens it."""
    for _ in range(2):
        with page.expect_navigation():
            page.locator("main form[action$='/wybrane/dodaj/'] button[type=submit]").first.click()
    with page.expect_navigation():
        page.locator("main .inquiry-submit a").click()
    assert page.locator("main table tbody tr").count() == 2


def staff_password(page):
    """Stops at the TOTP step of a staff member's log-in."""
    staff = User.objects.get(groups__name=MINISTRY_STAFF)
    page.fill('input[name="login"]', staff.email)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    assert page.locator('input[name="code"]').count() == 1


def build_world() -> tuple[dict, list[Visit]]:
    """The data every page needs, and the pages to visit."""
    now = timezone.now()
    coop = CooperativeFactory(
        name="Spółdzielnia Socjalna Dostępna",
        email="biuro@dostepna.example",
        description="Catering i sprzątanie.",
        latitude="51.759",
        longitude="19.456",
    )
    other = CooperativeFactory(name="Spółdzielnia Socjalna Druga", email="")
    stale = CooperativeFactory(name="Spółdzielnia Socjalna Zapomniana")
    Cooperative.objects.filter(pk=stale.pk).update(verified_at=now - datetime.timedelta(days=800))
    offer = OfferFactory(cooperative=coop, title="Catering na spotkania")
    rep = representative(coop)
    staff = staff_user()
    applicant = verified_user()
    pending = RepresentationRequest.objects.create(user=applicant, cooperative=other, role_in_cooperative="prezes")
    linked = RepresentationRequest.objects.create(user=applicant, cooperative=coop, role_in_cooperative="członek")
    change = ChangeRequest.objects.create(
        cooperative=coop,
        requested_by=rep,
        proposed={"name": "Spółdzielnia Socjalna Dostępna Plus"},
        previous={"name": coop.name},
        justification="Zmiana nazwy w KRS.",
        base_version=coop.version,
    )
    cooperative_services.error_report_create(cooperative=coop, message="Zły numer telefonu.", reporter_email="")
    inquiry = cooperative_services.inquiry_send(
        build_url=lambda path: f"http://testserver{path}",
        cooperatives=[coop],
        data={
            "subject": "Catering na 50 osób",
            "details": "Obiad dla uczestników szkolenia.",
            "place": "Łódź",
            "timeframe": "czerwiec",
            "contact_name": "Jan Kowalski",
            "contact_email": "jan@example.org",
            "contact_phone": "",
        },
    )

    open_wave = make_wave(name="Fala otwarta")
    published = make_wave(name="Fala opublikowana", reference_year=2023)
    responses = []
    for index in range(4):
        member = CooperativeFactory(name=f"Spółdzielnia Socjalna Ankietowana {index}")
        response, _ = survey_save(published, member, staff, submit=True, as_staff=True)
        responses.append(response)
    survey_save(published, coop, staff, submit=True, as_staff=True)  # the representative's answers, read-only now
    Wave.objects.filter(pk=published.pk).update(status=Wave.Status.PUBLISHED)
    submitted, _ = survey_save(open_wave, other, staff, submit=True, as_staff=True)
    # the representative's draft breaks a consistency rule: the form shows its warnings, the staff's report lists it
    survey_save(open_wave, coop, staff, as_staff=True, employment_total="2", employment_at_risk="5")

    running_import = AnswerImport.objects.create(
        wave=open_wave, user=staff, filename="odpowiedzi.csv", status=AnswerImport.Status.RUNNING
    )
    rejected_import = AnswerImport.objects.create(
        wave=open_wave,
        user=staff,
        filename="odpowiedzi.xlsx",
        status=AnswerImport.Status.REJECTED,
        errors=[{"row": 2, "cooperative": "0000123456", "column": "employment_total", "message": "Podaj liczbę."}],
    )

    running_export = ExportJob.objects.create(
        kind="cooperatives.open-data",
        params={"query": [], "fmt": "xlsx"},
        title="Rejestr spółdzielni (XLSX)",
        requested_by=staff,
        status="running",
        progress=40,
    )
    ready_export = ExportJob.objects.create(
        kind="cooperatives.open-data",
        params={"query": [], "fmt": "csv"},
        title="Rejestr spółdzielni (CSV)",
        requested_by=staff,
        status="done",
        progress=100,
        file="exports/rejestr.csv",
        filename="rejestr.csv",
        size=2048,
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    failed_export = ExportJob.objects.create(
        kind="cooperatives.open-data",
        params={"query": [], "fmt": "json"},
        title="Rejestr spółdzielni (JSON)",
        requested_by=staff,
        status="failed",
        error="Nie udało się przygotować pliku. Spróbuj ponownie.",
    )

    publication = PublicationFactory(title="Poradnik spółdzielcy")
    PdfEditionFactory(publication=publication)

    training = TrainingFactory(title="Szkolenie otwarte", organisers=[staff])
    session = TrainingSessionFactory(training=training)
    enrolment = EnrolmentFactory(training=training)
    done, _, enrolments = completed_training_with_attendance(sessions=2, attended=[2])
    certificate = CertificateFactory(enrolment=enrolments[0])
    pending_enrolment = EnrolmentFactory(training=training, status="pending")
    ended = TrainingFactory(title="Szkolenie zakończone wczoraj", status="closed", starts_on=datetime.date(2020, 1, 1))
    mail.outbox.clear()

    krs = coop.krs_number
    fill_url = reverse("monitoring:fill", kwargs={"wave_pk": open_wave.pk, "krs": krs})
    visits = [
        # The registry, public.
        Visit("home", reverse("cooperatives:home")),
        Visit("cooperative list", reverse("cooperatives:list")),
        Visit("cooperative list, filtered", reverse("cooperatives:list") + "?voivodeship=10&search=Dost%C4%99pna"),
        Visit(
            "cooperative list, invalid filters",
            reverse("cooperatives:list") + "?ordering=zle&voivodeship=99",
            status=400,
        ),
        Visit("cooperative profile", coop.get_absolute_url()),
        Visit("offer list", reverse("cooperatives:offers")),
        Visit("portal search", reverse("core:search") + "?q=dost%C4%99pna"),
        Visit("portal search, nothing found", reverse("core:search") + "?q=dostepnaaxx"),
        Visit("cooperative list, nothing found", reverse("cooperatives:list") + "?voivodeship=02&search=Dost%C4%99pna"),
        Visit("offer detail", reverse("cooperatives:offer-detail", args=[offer.pk])),
        Visit("map", reverse("cooperatives:map")),
        Visit("map, invalid filters", reverse("cooperatives:map") + "?voivodeship=99", status=400),
        Visit("open data", reverse("cooperatives:open-data")),
        Visit("open data, invalid filters", reverse("cooperatives:open-data") + "?voivodeship=99"),
        Visit("not found", "/nie-ma-takiej-strony/", status=404),
        Visit("not found, English", "/en/nie-ma-takiej-strony/", status=404),
        Visit("server error", "/blad-serwera-testowy/", status=500, fulfil=server_error_page),
        Visit("form with a forged CSRF token", reverse("selfservice:inquiry") + f"?krs={krs}", then=fail_csrf),
        Visit("accessibility statement", reverse("core:accessibility-statement")),
        Visit("easy-to-read text", reverse("core:easy-to-read")),
        Visit("sign-language information", reverse("core:sign-language")),
        Visit("contact", reverse("core:contact")),
        Visit("privacy", reverse("core:privacy")),
        Visit("display settings", reverse("core:display-settings")),
        Visit("privacy, larger text and high contrast", reverse("core:display-settings"), then=larger_and_contrast),
        # Buyers and the public writing to the portal.
        Visit("shortlist, empty", reverse("cooperatives:shortlist")),
        Visit("shortlist", reverse("cooperatives:list"), then=shortlist_two),
        Visit("inquiry form", reverse("selfservice:inquiry") + f"?krs={krs}&krs={other.krs_number}"),
        Visit("inquiry form, errors", reverse("selfservice:inquiry") + f"?krs={krs}", then=submit_invalid()),
        Visit(
            "inquiry sent",
            reverse("selfservice:inquiry") + f"?krs={krs}",
            then=submit_valid(
                {
                    "subject": "Obiad",
                    "details": "Obiad dla 20 osób.",
                    "place": "Łódź",
                    "timeframe": "maj",
                    "contact_name": "Anna Nowak",
                    "contact_email": "anna@example.org",
                }
            ),
        ),
        Visit("report an error", reverse("selfservice:report-error", args=[krs])),
        Visit("report an error, errors", reverse("selfservice:report-error", args=[krs]), then=submit_invalid()),
        Visit(
            "representation confirmation link",
            reverse(
                "selfservice:representation-confirm", args=[cooperative_services.representation_link_token(linked)]
            ),
        ),
        # Accounts (allauth's pages in the portal's layout).
        Visit("log-in", reverse("account_login")),
        Visit("two-factor step of the log-in", reverse("account_login"), who="staff signing in", then=staff_password),
        Visit("log-in, errors", reverse("account_login"), then=submit_invalid({"login": "x"})),
        Visit("sign-up", reverse("account_signup")),
        Visit("sign-up, errors", reverse("account_signup"), then=submit_invalid({"email": "zly-adres"})),
        Visit("password reset", reverse("account_reset_password")),
        Visit("password reset, errors", reverse("account_reset_password"), then=submit_invalid({"email": "x"})),
        Visit("e-mail addresses", reverse("account_email"), who="representative"),
        Visit("password change", reverse("account_change_password"), who="representative"),
        Visit("two-factor settings", reverse("mfa_index"), who="representative"),
        Visit("re-authentication before TOTP set-up", reverse("mfa_activate_totp"), who="representative"),
        # Representatives.
        Visit("dashboard", reverse("selfservice:dashboard"), who="representative"),
        Visit("representation request", reverse("selfservice:representation-request"), who="representative"),
        Visit(
            "representation request, search",
            reverse("selfservice:representation-request") + "?q=Druga",
            who="representative",
        ),
        Visit(
            "representation request, errors",
            reverse("selfservice:representation-request") + f"?krs={other.krs_number}",
            who="representative",
            then=submit_invalid(),
        ),
        Visit("profile edit", reverse("selfservice:cooperative-edit", args=[krs]), who="representative"),
        Visit(
            "profile edit, errors",
            reverse("selfservice:cooperative-edit", args=[krs]),
            who="representative",
            then=submit_invalid(
                {"postal_code": "zły kod", "email": "zly-adres"}, button="main form[enctype] button[type=submit]"
            ),
        ),
        Visit("change request", reverse("selfservice:change-request", args=[krs]), who="representative"),
        Visit(
            "change request, errors",
            reverse("selfservice:change-request", args=[krs]),
            who="representative",
            then=submit_invalid({"nip": "123"}),
        ),
        Visit("new offer", reverse("selfservice:offer-create", args=[krs]), who="representative"),
        Visit(
            "new offer, errors",
            reverse("selfservice:offer-create", args=[krs]),
            who="representative",
            then=submit_invalid(),
        ),
        Visit("offer edit", reverse("selfservice:offer-edit", args=[offer.pk]), who="representative"),
        Visit("offer delete", reverse("selfservice:offer-delete", args=[offer.pk]), who="representative"),
        Visit("photos", reverse("selfservice:photos", args=[krs]), who="representative"),
        Visit("photos, errors", reverse("selfservice:photos", args=[krs]), who="representative", then=submit_invalid()),
        Visit("members", reverse("selfservice:members", args=[krs]), who="representative"),
        Visit("API token", reverse("selfservice:api-token"), who="representative"),
        Visit("inquiry detail", reverse("selfservice:inquiry-detail", args=[inquiry.pk]), who="representative"),
        Visit("my surveys", reverse("monitoring:my-surveys"), who="representative"),
        Visit("survey form", fill_url, who="representative"),
        Visit(
            "survey answers of a closed wave",
            reverse("monitoring:fill", kwargs={"wave_pk": published.pk, "krs": krs}),
            who="representative",
        ),
        Visit(
            "survey form, errors",
            fill_url,
            who="representative",
            then=submit_invalid({"employment_total": "-3"}, button='button[name="submit"]'),
        ),
        # Statistics, the library and trainings, public.
        Visit("statistics", reverse("monitoring:index")),
        Visit("wave statistics", reverse("monitoring:wave", args=[published.pk])),
        Visit("library", reverse("publications:index")),
        Visit("publication", publication.get_absolute_url()),
        Visit("trainings", reverse("trainings:index")),
        Visit("training", training.get_absolute_url()),
        Visit(
            "training, registration errors",
            training.get_absolute_url(),
            then=submit_invalid({"email": "zly-adres"}, button="form[action$='#registration'] button[type=submit]"),
        ),
        Visit(
            "enrolment cancellation",
            reverse("trainings:cancel", args=[training_services.enrolment_cancel_signature(enrolment)]),
        ),
        Visit("enrolment cancellation, bad link", reverse("trainings:cancel", args=["zly-podpis"]), status=404),
        Visit(
            "certificate verification", reverse("trainings:certificate-verify", args=[certificate.verification_code])
        ),
        Visit(
            "registration confirmation",
            reverse("trainings:confirm-email", args=[training_services.enrolment_confirm_signature(pending_enrolment)]),
        ),
        Visit("registration confirmation, bad link", reverse("trainings:confirm-email", args=["zly"]), status=404),
        Visit("certificate lookup", reverse("trainings:certificate-lookup")),
        Visit(
            "certificate lookup, found",
            reverse("trainings:certificate-lookup") + f"?numer={certificate.short_code_display}",
        ),
        Visit("certificate lookup, errors", reverse("trainings:certificate-lookup") + "?numer=zly", status=400),
        Visit("certificate download", certificate.get_download_url()),
        Visit("forbidden", reverse("selfservice:moderation"), who="representative", status=403),
        Visit("forbidden, English", "/en" + reverse("selfservice:moderation"), who="representative", status=403),
        Visit(
            "wrong method",
            reverse("selfservice:history-revert", args=["spoldzielnia", 1]),
            who="representative",
            status=405,
        ),
        # Moderators and ministry staff.
        Visit("moderation desk", reverse("selfservice:moderation"), who="staff"),
        Visit("representation review", reverse("selfservice:representation-review", args=[pending.pk]), who="staff"),
        Visit(
            "representation review, errors",
            reverse("selfservice:representation-review", args=[pending.pk]),
            who="staff",
            then=submit_invalid(),
        ),
        Visit("change review", reverse("selfservice:change-review", args=[change.pk]), who="staff"),
        Visit("stale profiles", reverse("selfservice:stale"), who="staff"),
        Visit("history", reverse("selfservice:history", args=[krs]), who="staff"),
        Visit("wave statistics, staff", reverse("monitoring:wave", args=[published.pk]), who="staff"),
        Visit(
            "statistics export, errors",
            reverse("monitoring:export", args=[published.pk]) + "?indicator=zly",
            who="staff",
            status=400,
        ),
        Visit("survey waves", reverse("monitoring:staff-waves"), who="staff"),
        Visit("survey wave", reverse("monitoring:staff-wave", args=[open_wave.pk]), who="staff"),
        Visit("survey contradictions", reverse("monitoring:staff-contradictions", args=[open_wave.pk]), who="staff"),
        Visit("survey import", reverse("monitoring:import", args=[open_wave.pk]), who="staff"),
        Visit(
            "survey import, errors",
            reverse("monitoring:import", args=[open_wave.pk]),
            who="staff",
            then=submit_invalid(),
        ),
        Visit("background export, running", reverse("exportjobs:detail", args=[running_export.pk]), who="staff"),
        Visit("background export, ready", reverse("exportjobs:detail", args=[ready_export.pk]), who="staff"),
        Visit("background export, failed", reverse("exportjobs:detail", args=[failed_export.pk]), who="staff"),
        Visit(
            "survey import, running",
            reverse("monitoring:import-status", args=[open_wave.pk, running_import.pk]),
            who="staff",
        ),
        Visit(
            "survey import, rejected",
            reverse("monitoring:import-status", args=[open_wave.pk, rejected_import.pk]),
            who="staff",
        ),
        Visit("survey verification", reverse("monitoring:staff-verify", args=[submitted.pk]), who="staff"),
        Visit("trainings panel", reverse("trainings:panel"), who="staff"),
        Visit("participants", reverse("trainings:participants", args=[training.pk]), who="staff"),
        Visit(
            "attendance",
            reverse("trainings:attendance", kwargs={"pk": training.pk, "session_pk": session.pk}),
            who="staff",
        ),
        Visit("certificates", reverse("trainings:certificates", args=[done.pk]), who="staff"),
        Visit("completing a training", reverse("trainings:complete", args=[ended.pk]), who="staff"),
        Visit("completing a training, too early", reverse("trainings:complete", args=[training.pk]), who="staff"),
        Visit("training reports", reverse("trainings:reports"), who="staff"),
        Visit("personal data", reverse("trainings:personal-data"), who="staff"),
    ]
    return {"representative": rep, "staff": staff}, visits


def test_every_page_has_no_wcag_a_or_aa_violations(new_page, live_server):
    rendered: set[str] = set()

    def record(sender, template, context, **kwargs):
        if template.name:
            rendered.add(template.name)

    users, visits = build_world()
    pages = {"anonymous": new_page(), "staff signing in": new_page()}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        pages[role] = new_page(session_cookie=client.cookies["sessionid"].value)

    template_rendered.connect(record, dispatch_uid="axe-coverage")
    problems, scanned = [], []
    try:
        for visit in visits:
            page = pages[visit.who]
            if visit.fulfil:
                page.route(f"**{visit.url}", fulfilment(visit.status, visit.fulfil()))
            response = page.goto(visit.url)
            if visit.status is not None and response.status != visit.status:
                problems.append(f"{visit.label} ({visit.url}): HTTP {response.status}, expected {visit.status}")
                continue
            if visit.then:
                visit.then(page)
            page.add_script_tag(path=str(AXE_JS))
            violations = page.evaluate(AXE_RUN, AXE_TAGS)
            scanned.append({"page": visit.label, "url": page.url, "violations": violations})
            for violation in violations:
                nodes = "; ".join(f"{n['target']}: {n['html']}" for n in violation["nodes"])
                problems.append(f"{visit.label} ({page.url}): {violation['id']} ({violation['help']}) at {nodes}")
    finally:
        template_rendered.disconnect(dispatch_uid="axe-coverage")

    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS_DIR / "axe-report.json").write_text(json.dumps(scanned, ensure_ascii=False, indent=1))
    print(f"axe-core scanned {len(scanned)} pages")  # noqa: T201
    assert not problems, "\n".join(problems)

    project_templates = {str(p.relative_to(TEMPLATES_DIR)) for p in TEMPLATES_DIR.rglob("*") if p.is_file()}
    unseen = sorted(project_templates - rendered - set(EXCLUDED_TEMPLATES))
    assert not unseen, f"templates on no scanned page (add a Visit or a justified exclusion): {unseen}"
    wrongly_excluded = sorted(
        set(EXCLUDED_TEMPLATES) & rendered - {n for n in EXCLUDED_TEMPLATES if n.endswith(".txt")}
    )
    assert not wrongly_excluded, f"excluded templates that are scanned after all: {wrongly_excluded}"


def test_exclusions_name_existing_templates():
    for name in EXCLUDED_TEMPLATES:
        assert (TEMPLATES_DIR / name).is_file(), name
