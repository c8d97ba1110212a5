from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cooperatives.models import Membership
from core import site
from core.mail import EmailMessage, get_connection
from monitoring import selectors
from monitoring.models import Wave


class Command(BaseCommand):
    help = (
        "E-mail a reminder to every cooperative that has not submitted its answers to an open wave: to its "
        "representatives, or to the cooperative's own address when it has none. Run it from cron (e.g. weekly)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wave", type=int, help="only this wave (default: every wave accepting answers)")
        parser.add_argument("--dry-run", action="store_true", help="list the recipients without sending")

    def handle(self, *args, wave=None, dry_run=False, **options):
        translation.activate(settings.LANGUAGE_CODE)
        waves = [w for w in Wave.objects.open() if w.is_accepting_answers]
        if wave:
            waves = [w for w in waves if w.pk == wave]
            if not waves:
                raise CommandError(f"Wave {wave} is not accepting answers.")
        sent = 0
        with get_connection() as connection:
            for current in waves:
                cooperatives = list(selectors.non_responders(current))
                emails: dict[int, set[str]] = {}
                for cooperative_id, email in Membership.objects.filter(
                    cooperative__in=cooperatives, user__is_active=True
                ).values_list("cooperative_id", "user__email"):
                    if email:
                        emails.setdefault(cooperative_id, set()).add(email)
                for cooperative in cooperatives:
                    recipients = sorted(
                        emails.get(cooperative.pk) or ([cooperative.email] if cooperative.email else [])
                    )
                    if not recipients:
                        continue
                    if dry_run:
                        self.stdout.write(f"{current.pk}\t{cooperative.krs_number}\t{', '.join(recipients)}")
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
                    EmailMessage(subject, body, to=recipients, connection=connection).send()
                    sent += 1
        self.stdout.write(f"Reminders sent: {sent}.")
