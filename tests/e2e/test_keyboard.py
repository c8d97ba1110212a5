"""Keyboard use: the skip link comes first and moves the focus to the content, focus is visible, Tab never gets
stuck, and form errors are announced (an error summary that is an alert or takes the focus)."""

import pytest
from django.urls import reverse

from tests.cooperatives.factories import CooperativeFactory
from tests.trainings.factories import TrainingFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("territory", "seed_dictionaries")]

ACTIVE = (
    "() => { const el = document.activeElement; return {tag: el.tagName, id: el.id, cls: el.className, "
    "text: (el.textContent || '').trim().slice(0, 60), href: el.getAttribute('href')}; }"
)


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page):
    page.goto(reverse("cooperatives:home"))
    page.keyboard.press("Tab")
    active = page.evaluate(ACTIVE)
    assert active["cls"] == "skip-link" and active["href"] == "#main"
    box = page.locator(".skip-link").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate(ACTIVE)["id"] == "main"


def test_focused_links_have_a_visible_outline(page):
    page.goto(reverse("cooperatives:home"))
    for _ in range(3):  # skip link, brand, first menu item
        page.keyboard.press("Tab")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); "
        "return {tag: document.activeElement.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"
    )
    assert style["tag"] == "A"
    assert style["style"] != "none" and style["width"] >= 2


def test_tab_walks_the_whole_page_without_a_trap(page):
    CooperativeFactory()
    page.goto(reverse("cooperatives:list"))
    last_link = page.locator("footer a").last.get_attribute("href")
    seen = []
    for _ in range(150):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        seen.append(active)
        if active["tag"] == "A" and active["href"] == last_link:
            break
    else:
        pytest.fail(f"Tab never reached the last footer link; last stops: {seen[-5:]}")
    page.keyboard.press("Tab")  # past the last link the focus leaves the page or wraps: it never stays put
    assert page.evaluate(ACTIVE) != seen[-1]


@pytest.mark.parametrize("form_name", ["training registration", "sign-up", "error report"])
def test_form_errors_are_announced(page, form_name):
    if form_name == "training registration":
        url, form = TrainingFactory().get_absolute_url(), "form[action$='#registration']"
    elif form_name == "sign-up":
        url, form = reverse("account_signup"), "main form[method=post]"
    else:
        krs = CooperativeFactory().krs_number
        url, form = reverse("selfservice:report-error", args=[krs]), "main form[method=post]"
    page.goto(url)
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit]").first.click()
    summary = page.locator("main .error-summary, main [role=alert]").first
    assert summary.count() == 1
    announced = summary.evaluate(
        "el => el.getAttribute('role') === 'alert' || el === document.activeElement "
        "|| el.contains(document.activeElement)"
    )
    assert announced, summary.evaluate("el => el.outerHTML.slice(0, 300)")
    assert summary.inner_text().strip()
