"""Pages through their URLs: the permission matrix, filling a questionnaire without JavaScript, staff entry and
verification, and pinned query counts."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from monitoring.models import Response, Wave
from tests.cooperatives.factories import CooperativeFactory

from .conftest import VALID_ANSWERS, make_wave
from .test_services import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(wave, coop_a, rep_a):
    response, _ = save(wave, coop_a, rep_a, submit=True)
    return response


def urls(wave, coop_a, response):
    return {
        "my-surveys": reverse("monitoring:my-surveys"),
        "fill": reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": coop_a.krs_number}),
        "staff-waves": reverse("monitoring:staff-waves"),
        "staff-wave": reverse("monitoring:staff-wave", kwargs={"pk": wave.pk}),
        "import": reverse("monitoring:import", kwargs={"pk": wave.pk}),
        "staff-verify": reverse("monitoring:staff-verify", kwargs={"pk": response.pk}),
        "export": reverse("monitoring:export", kwargs={"pk": wave.pk}) + "?indicator=employment",
        "microdata": reverse("monitoring:microdata", kwargs={"pk": wave.pk}),
        "microdata-all": reverse("monitoring:microdata-all"),
        "wave": reverse("monitoring:wave", kwargs={"pk": wave.pk}),
    }


# who -> URL name -> expected status (302 = sent to log in)
MATRIX = {
    "anonymous": {
        "my-surveys": 302,
        "fill": 302,
        "staff-waves": 302,
        "staff-wave": 302,
        "import": 302,
        "staff-verify": 302,
        "export": 302,
        "microdata": 302,
        "microdata-all": 302,
        "wave": 403,
    },
    "outsider": {
        "my-surveys": 200,
        "fill": 403,
        "staff-waves": 403,
        "staff-wave": 403,
        "import": 403,
        "staff-verify": 403,
        "export": 403,
        "microdata": 403,
        "microdata-all": 403,
        "wave": 403,
    },
    "rep_b": {
        "my-surveys": 200,
        "fill": 403,
        "staff-waves": 403,
        "staff-wave": 403,
        "import": 403,
        "staff-verify": 403,
        "export": 403,
        "microdata": 403,
        "microdata-all": 403,
        "wave": 403,
    },
    "rep_a": {
        "my-surveys": 200,
        "fill": 200,
        "staff-waves": 403,
        "staff-wave": 403,
        "import": 403,
        "staff-verify": 403,
        "export": 403,
        "microdata": 403,
        "microdata-all": 403,
        "wave": 403,
    },
    "staff": {
        "my-surveys": 200,
        "fill": 200,
        "staff-waves": 200,
        "staff-wave": 200,
        "import": 200,
        "staff-verify": 200,
        "export": 200,
        "microdata": 200,
        "microdata-all": 200,
        "wave": 200,
    },
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(client, request, who, wave, coop_a, submitted):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for name, url in urls(wave, coop_a, submitted).items():
        response = client.get(url)
        assert response.status_code == MATRIX[who][name], (who, name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_published_wave_statistics_are_public(client, wave):
    wave.status = Wave.Status.PUBLISHED
    wave.save()
    assert client.get(reverse("monitoring:wave", kwargs={"pk": wave.pk})).status_code == 200
    assert client.get(reverse("monitoring:index")).status_code == 200


def test_representative_fills_saves_draft_and_submits_without_javascript(client, wave, coop_a, rep_a):
    client.force_login(rep_a)
    url = reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": coop_a.krs_number})
    page = client.get(url)
    assert "Zapisz szkic" in page.content.decode()

    response = client.post(url, {"version": 0, "employment_total": "3", "save": "1"})
    assert response.status_code == 302
    stored = Response.objects.get(wave=wave, cooperative=coop_a)
    assert stored.status == Response.Status.DRAFT

    # submitting an incomplete questionnaire shows one Polish message per missing answer and saves nothing new
    response = client.post(url, {"version": stored.version, "employment_total": "abc", "submit": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Popraw błędy w ankiecie" in body and "Podaj liczbę całkowitą" in body
    assert "To pytanie jest obowiązkowe." in body
    stored.refresh_from_db()
    assert stored.status == Response.Status.DRAFT

    response = client.post(url, {**VALID_ANSWERS, "version": stored.version, "submit": "1"})
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.status == Response.Status.SUBMITTED and stored.submitted_by == rep_a


def test_stale_form_is_refused_with_a_message(client, wave, coop_a, rep_a):
    client.force_login(rep_a)
    save(wave, coop_a, rep_a)
    url = reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": coop_a.krs_number})
    response = client.post(url, {**VALID_ANSWERS, "version": 0, "save": "1"})
    assert response.status_code == 200
    assert "Ktoś w międzyczasie zmienił tę ankietę" in response.content.decode()


def test_closed_wave_cannot_be_filled_by_the_representative(client, coop_a, rep_a, staff):
    """...but the representative reads the cooperative's answers, read-only (it used to be a 403 page)."""
    wave = make_wave()
    save(wave, coop_a, rep_a, submit=True, employment_total="17")
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    client.force_login(rep_a)
    url = reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": coop_a.krs_number})
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "tylko przeczytać" in body and "17" in body
    assert "<form" not in body.split("<main", 1)[-1].split("</main>", 1)[0]
    assert client.post(url, {"employment_total": "18"}).status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "outsider", "rep_b"])
def test_others_cannot_read_a_closed_waves_answers(client, request, coop_a, rep_a, who):
    wave = make_wave()
    save(wave, coop_a, rep_a, submit=True)
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.PUBLISHED)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": coop_a.krs_number}))
    assert response.status_code in (302, 403) and "tylko przeczytać" not in response.content.decode()


def test_form_is_prefilled_from_the_previous_wave(client, coop_a, rep_a):
    earlier = make_wave(reference_year=2022, name="2022")
    save(earlier, coop_a, rep_a, submit=True, employment_total="17")
    earlier.status = Wave.Status.CLOSED
    earlier.save()
    later = make_wave(reference_year=2023, name="2023")
    client.force_login(rep_a)
    page = client.get(reverse("monitoring:fill", kwargs={"wave_pk": later.pk, "krs": coop_a.krs_number}))
    body = page.content.decode()
    assert "z poprzedniej fali" in body
    assert 'name="employment_total" value="17"' in body


def test_staff_enter_answers_for_a_cooperative(client, wave, coop_b, staff):
    client.force_login(staff)
    url = reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": coop_b.krs_number})
    response = client.post(url, {**VALID_ANSWERS, "version": 0, "submit": "1"})
    assert response.status_code == 302
    stored = Response.objects.get(cooperative=coop_b)
    assert (stored.status, stored.source, stored.submitted_by) == ("submitted", "staff", staff)


def test_staff_verify_and_the_representative_sees_the_comment(client, wave, coop_a, rep_a, staff, submitted):
    client.force_login(staff)
    url = reverse("monitoring:staff-verify", kwargs={"pk": submitted.pk})
    response = client.post(url, {"verification": "needs_correction", "comment": ""})
    assert "Napisz, co spółdzielnia ma poprawić." in response.content.decode()
    response = client.post(url, {"verification": "needs_correction", "comment": "Sprawdź liczbę etatów."})
    assert response.status_code == 302
    client.force_login(rep_a)
    page = client.get(reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": coop_a.krs_number}))
    assert "Sprawdź liczbę etatów." in page.content.decode()
    assert "wymaga poprawy" in client.get(reverse("monitoring:my-surveys")).content.decode()


def test_my_surveys_lists_open_waves_of_each_represented_cooperative(client, wave, coop_a, rep_a):
    make_wave(status=Wave.Status.DRAFT)
    client.force_login(rep_a)
    body = client.get(reverse("monitoring:my-surveys")).content.decode()
    assert wave.name in body and coop_a.name in body and "nierozpoczęta" in body


def test_staff_wave_query_count_does_not_grow_with_responses(client, django_assert_max_num_queries, wave, staff):
    client.force_login(staff)
    url = reverse("monitoring:staff-wave", kwargs={"pk": wave.pk})
    for _index in range(3):
        save(wave, CooperativeFactory(), staff, submit=True, as_staff=True)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _index in range(10):
        save(wave, CooperativeFactory(), staff, submit=True, as_staff=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_statistics_page_query_count_is_constant(client, django_assert_max_num_queries, wave, staff):
    client.force_login(staff)
    url = reverse("monitoring:wave", kwargs={"pk": wave.pk}) + "?breakdown=voivodeship"
    save(wave, CooperativeFactory(), staff, submit=True, as_staff=True)
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _index in range(8):
        save(wave, CooperativeFactory(gmina_id="1465011"), staff, submit=True, as_staff=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_fill_form_is_accessible(client, wave, coop_a, rep_a, django_assert_max_num_queries):
    client.force_login(rep_a)
    url = reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": coop_a.krs_number})
    with django_assert_max_num_queries(15):
        body = client.get(url).content.decode()
    assert body.count("<h1>") == 1
    assert "odpowiedziano „nie prowadzi działalności”" in body  # the condition in words, not a code
    assert 'aria-describedby="unit-employment_total"' in body
    body = client.post(url, {"employment_total": "x", "version": 0, "submit": "1"}).content.decode()
    assert 'aria-describedby="unit-employment_total id_employment_total_errors"' in body
    assert 'href="#id_employment_total"' in body and 'id="id_employment_total_errors"' in body


def test_open_waves_for_user_takes_three_queries(django_assert_num_queries, wave, rep_a, coop_a):
    from monitoring.selectors import open_waves_for_user
    from tests.cooperatives.factories import MembershipFactory

    for _index in range(3):
        MembershipFactory(user=rep_a)
    make_wave(name="Druga otwarta")
    with django_assert_num_queries(3):
        tasks = open_waves_for_user(rep_a)
    assert len(tasks) == 8 and {task.cooperative for task in tasks} >= {coop_a}


def test_representative_dashboard_lists_open_waves_with_a_link_to_the_form(client, wave, coop_a, rep_a):
    client.force_login(rep_a)
    content = client.get(reverse("selfservice:dashboard")).content.decode()
    assert "Ankiety monitoringu" in content
    assert reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": coop_a.krs_number}) in content
    assert "nierozpoczęta" in content
