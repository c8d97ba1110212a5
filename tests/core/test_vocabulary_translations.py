"""Every name of the fixed data vocabularies has its English form in locale/en (core.text.data_label): offer
categories, target groups, founder kinds and TERYT unit kinds (seeded by migrations), the library's demo topics,
and the default questionnaire (section titles, questions, help texts, units, choices)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from cooperatives.models import FounderKind, OfferCategory, TargetGroup, TerritorialUnit
from core.text import data_label
from publications.demo import TOPICS

# The same word in both languages.
SAME_IN_ENGLISH = {"Catering", "Transport", "%"}


def questionnaire_texts() -> set[str]:
    data = json.loads((Path(settings.BASE_DIR) / "monitoring" / "data" / "default_questionnaire.json").read_text())
    texts = set()
    for section in data["sections"]:
        texts.add(section["title"])
        for question in section["questions"]:
            texts.update({question["text"], question.get("help", ""), question.get("unit", "")})
            texts.update(label for _code, label in question.get("choices", []))
    return {text for text in texts if text}


def untranslated(texts) -> list[str]:
    with translation.override("en"):
        return sorted(text for text in texts if text not in SAME_IN_ENGLISH and data_label(text) == text)


@pytest.mark.django_db
def test_registry_vocabularies_have_english_names(territory):
    names = {
        *TargetGroup.objects.values_list("name", flat=True),
        *FounderKind.objects.values_list("name", flat=True),
        *OfferCategory.objects.values_list("name", flat=True),
        *TerritorialUnit.objects.exclude(level=TerritorialUnit.Level.VOIVODESHIP)
        .exclude(kind_name="")
        .values_list("kind_name", flat=True),
    }
    assert len(names) > 80
    assert not untranslated(names)


def test_library_topics_and_the_questionnaire_have_english_names():
    assert not untranslated(TOPICS.values())
    assert not untranslated(questionnaire_texts())


@pytest.mark.django_db
def test_models_and_facets_show_the_english_name(territory, client):
    category = OfferCategory.objects.get(name="Sprzątanie biur i obiektów")
    with translation.override("en"):
        assert str(category) == "Cleaning › Office and building cleaning"
        assert str(TargetGroup.objects.get(code="bezrobotni")) == "unemployed people"
    with translation.override("pl"):
        assert str(category) == "Sprzątanie › Sprzątanie biur i obiektów"
    assert data_label("") == ""  # never the catalogue's header
