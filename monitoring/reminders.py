"""Reminders to cooperatives that have not submitted a wave's answers: used by `manage.py send_survey_reminders` and
by the schedule's task (monitoring.tasks.send_survey_reminders). Messages go through core.mail.queue_mail, keyed by
wave, cooperative and day: running it twice the same day (or a re-delivered task) sends nothing twice."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cooperatives.models import Membership
from core import site
from core.mail import queue_mail

from . import selectors
from .models import Wave


class UnknownWave(ValueError):
    pass


@dataclass(frozen=True)
class Reminder:
    wave_id: int
    krs: str
    recipients: list[str]


def survey_reminders_send(*, wave_id: int | None = None, dry_run: bool = False) -> list[Reminder]:
    """Queues a reminder for every cooperative that has not submitted its answers to an open wave (or only `wave_id`):
    to its representatives, or to the cooperative's own address when it has none. Returns the reminders (queued, or
    only listed with `dry_run`)."""
    waves = [w for w in Wave.objects.open() if w.is_accepting_answers]
    if wave_id:
        waves = [w for w in waves if w.pk == wave_id]
        if not waves:
            raise UnknownWave(wave_id)
    today = timezone.localdate().isoformat()
    reminders = []
    with translation.override(settings.LANGUAGE_CODE):
        for current in waves:
            cooperatives = list(selectors.non_responders(current))
            emails: dict[int, set[str]] = {}
            for cooperative_id, email in Membership.objects.filter(
                cooperative__in=cooperatives, user__is_active=True
            ).values_list("cooperative_id", "user__email"):
                if email:
                    emails.setdefault(cooperative_id, set()).add(email)
            for cooperative in cooperatives:
                recipients = sorted(emails.get(cooperative.pk) or ([cooperative.email] if cooperative.email else []))
                if not recipients:
                    continue
                reminders.append(Reminder(current.pk, cooperative.krs_number, recipients))
                if dry_run:
                    continue
                subject = _("Przypomnienie: ankieta „%(wave)s”") % {"wave": current.name}
                body = _(
                    "Dzień dobry,\n\nspółdzielnia %(name)s (KRS %(krs)s) nie przesłała jeszcze ankiety "
                    "„%(wave)s”. Ankietę można wypełnić do %(date)s w zakładce „Moje ankiety”:\n%(url)s\n\n"
                    "Dziękujemy!\n%(site_name)s\n"
                ) % {
                    "name": cooperative.name,
                    "krs": cooperative.krs_number,
                    "wave": current.name,
                    "date": date_format(current.closes_on),
                    "url": site.absolute_url(reverse("monitoring:my-surveys")),
                    "site_name": settings.SITE_NAME,
                }
                queue_mail(subject, body, recipients, key=f"survey-reminder:{current.pk}:{cooperative.pk}:{today}")
    return reminders
