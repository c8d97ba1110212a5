"""The demo offers and trainings read like real Polish (issue 13): 61% of offer descriptions were garbled
("crzygotowujemy": the first letter of one sentence glued to the rest of another) and training descriptions were
Faker's filler. Every word must come from the curated sentences, and the descriptions must vary."""

import io
import re

import pytest
from django.core.management import call_command

from cooperatives import demo, demo_texts
from cooperatives.models import Offer
from trainings.management.commands import seed_trainings
from trainings.models import Training

pytestmark = pytest.mark.django_db

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def words(*texts) -> set[str]:
    return {word for text in texts for word in WORD.findall(text)}


def offer_vocabulary() -> set[str]:
    sentences = [*demo_texts.OFFER_CLOSINGS, *demo.SERVICE_AREA_SENTENCES.values()]
    for details in demo_texts.OFFER_DETAILS.values():
        sentences.extend(details)
    for sector in demo.SECTORS.values():
        sentences.extend(sector.about)
        sentences.extend(title for offers in sector.offers.values() for title, _cpv in offers)
    return words(*sentences)


def test_every_sub_category_has_curated_details():
    sub_categories = {sub for sector in demo.SECTORS.values() for sub in sector.offers}
    assert sub_categories <= set(demo_texts.OFFER_DETAILS)


def test_demo_offer_texts_are_made_of_known_words_and_vary(territory):
    call_command("seed_demo", "--scale", "200", "--no-progress")
    offers = list(Offer.objects.values_list("title", "description"))
    assert len(offers) > 100
    vocabulary = offer_vocabulary()
    unknown = words(*(title + " " + description for title, description in offers)) - vocabulary
    assert not unknown, sorted(unknown)[:20]
    descriptions = [description for _title, description in offers]
    assert len(set(descriptions)) > len(descriptions) * 0.5
    # Whole sentences: each description ends a sentence and none starts in lower case.
    assert all(re.fullmatch(r"(?:[A-ZĄĆĘŁŃÓŚŹŻ][^.]*\.\s?)+", description) for description in descriptions)


def test_demo_training_texts_are_made_of_known_words_and_vary(territory):
    call_command("seed_trainings", stdout=io.StringIO())
    sentences = [
        *seed_trainings.METHOD_SENTENCES,
        *seed_trainings.AUDIENCE_SENTENCES,
        *(sentence for topic in seed_trainings.TOPIC_SENTENCES.values() for sentence in topic),
    ]
    vocabulary = words(*sentences)
    descriptions = list(
        Training.objects.filter(is_demo=True).exclude(description="").values_list("description", flat=True)
    )
    assert len(descriptions) >= 40
    unknown = words(*descriptions) - vocabulary
    assert not unknown, sorted(unknown)[:20]
    assert len(set(descriptions)) > len(descriptions) * 0.5
