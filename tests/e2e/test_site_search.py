"""The header's search box as an ARIA 1.2 combobox, driven by the keyboard only: suggestions in a listbox,
aria-expanded / aria-activedescendant / aria-selected kept right, the count announced politely, Escape closes,
Enter opens the chosen suggestion; without a chosen one Enter submits the plain form to the search page."""

import pytest
from django.urls import reverse

from tests.cooperatives.factories import CooperativeFactory

from .conftest import AXE_JS
from .test_accessibility import AXE_RUN, AXE_TAGS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("territory", "seed_dictionaries")]

STATE = """() => {
  const input = document.getElementById("site-search-q");
  const listbox = document.getElementById(input.getAttribute("aria-controls"));
  const options = [...listbox.querySelectorAll("[role=option]")];
  return {
    role: input.getAttribute("role"), expanded: input.getAttribute("aria-expanded"),
    autocomplete: input.getAttribute("aria-autocomplete"), active: input.getAttribute("aria-activedescendant"),
    hidden: listbox.hidden, listboxRole: listbox.getAttribute("role"),
    options: options.map(o => ({id: o.id, selected: o.getAttribute("aria-selected"), text: o.textContent})),
    status: document.getElementById("site-search-status").textContent,
    focused: document.activeElement.id,
  };
}"""


def test_combobox_by_keyboard(page):
    lody = CooperativeFactory(name="Spółdzielnia Socjalna Lody Naturalne", town="Kraków", gmina_id="1261011")
    CooperativeFactory(name="Spółdzielnia Socjalna Lodowa Kraina", town="Kraków", gmina_id="1261011")
    page.goto(reverse("cooperatives:list"))
    state = page.evaluate(STATE)
    assert state["role"] == "combobox" and state["expanded"] == "false" and state["autocomplete"] == "list"
    assert state["listboxRole"] == "listbox" and state["hidden"]

    page.focus("#site-search-q")
    page.keyboard.type("lody nat")
    page.wait_for_function("document.getElementById('site-search-q').getAttribute('aria-expanded') === 'true'")
    state = page.evaluate(STATE)
    assert [o["text"] for o in state["options"]] == ["Spółdzielnia Socjalna Lody Naturalne (Kraków) – spółdzielnia"]
    assert state["status"] == "1 podpowiedź. Wybierz strzałkami."
    assert state["active"] is None and state["focused"] == "site-search-q"

    page.keyboard.press("Escape")  # closes, keeps the text
    state = page.evaluate(STATE)
    assert state["expanded"] == "false" and state["hidden"] and page.input_value("#site-search-q") == "lody nat"

    page.fill("#site-search-q", "")
    page.keyboard.type("lod")
    page.wait_for_function(
        "document.querySelectorAll('#site-search-listbox [role=option]').length > 1"
        " && document.getElementById('site-search-q').getAttribute('aria-expanded') === 'true'"
    )
    state = page.evaluate(STATE)
    count = len(state["options"])
    assert state["status"].startswith(f"{count} podpowiedzi")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    state = page.evaluate(STATE)
    assert state["active"] == state["options"][1]["id"] and state["focused"] == "site-search-q"
    assert [o["selected"] for o in state["options"]][:2] == ["false", "true"]
    page.keyboard.press("ArrowUp")
    state = page.evaluate(STATE)
    assert state["active"] == state["options"][0]["id"]
    assert sum(o["selected"] == "true" for o in state["options"]) == 1

    # axe on the page with the list open
    page.add_script_tag(path=str(AXE_JS))
    assert page.evaluate(AXE_RUN, AXE_TAGS) == []

    # Enter opens the chosen suggestion (the first one)
    expected = page.evaluate("() => fetch('/szukaj/podpowiedzi/?q=lod').then(r => r.json())")["suggestions"][0]
    assert state["options"][0]["text"].startswith(expected["label"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(expected["url"])

    # With no suggestion chosen, Enter submits the form: the portal search page
    page.focus("#site-search-q")
    page.keyboard.type("naturalne")
    page.keyboard.press("Enter")
    page.wait_for_url("**/szukaj/?q=naturalne")
    assert page.locator("#grupa-cooperatives a", has_text=lody.name).count() == 1
