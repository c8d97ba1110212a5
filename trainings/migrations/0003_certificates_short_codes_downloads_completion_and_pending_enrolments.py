"""Certificates get a short verification number (typed from paper), a per-certificate download token and the
time of their first download; trainings get issuer, hours, curriculum and who completed them when; participants
a grammatical form; enrolments a pending state (before the e-mail address is confirmed).

Existing certificates get their own unique number and token: the fields are added nullable, filled row by row,
then made unique and required.
"""

import django.db.models.deletion
import trainings.models
import uuid
from django.conf import settings
from django.db import migrations, models


def fill_certificate_codes(apps, schema_editor):
    Certificate = apps.get_model("trainings", "Certificate")
    used = set()
    for certificate in Certificate.objects.only("pk").iterator():
        code = trainings.models.generate_short_code()
        while code in used:
            code = trainings.models.generate_short_code()
        used.add(code)
        certificate.short_code, certificate.download_token = code, uuid.uuid4()
        certificate.save(update_fields=["short_code", "download_token"])


class Migration(migrations.Migration):

    dependencies = [
        ('trainings', '0002_add_library_materials_to_training'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='certificate',
            name='download_token',
            field=models.UUIDField(editable=False, null=True, verbose_name='token pobrania'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='downloaded_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='pierwsze pobranie'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='short_code',
            field=models.CharField(editable=False, max_length=10, null=True, verbose_name='numer weryfikacyjny'),
        ),
        migrations.RunPython(fill_certificate_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='certificate',
            name='download_token',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='token pobrania'),
        ),
        migrations.AlterField(
            model_name='certificate',
            name='short_code',
            field=models.CharField(default=trainings.models.generate_short_code, editable=False, max_length=10, unique=True, verbose_name='numer weryfikacyjny'),
        ),
        migrations.AddField(
            model_name='enrolment',
            name='email_confirmed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='potwierdzono adres e-mail'),
        ),
        migrations.AddField(
            model_name='participant',
            name='grammatical_form',
            field=models.CharField(blank=True, choices=[('f', 'ukończyła'), ('m', 'ukończył')], default='', max_length=1, verbose_name='forma gramatyczna'),
        ),
        migrations.AddField(
            model_name='training',
            name='completed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='zakończono'),
        ),
        migrations.AddField(
            model_name='training',
            name='completed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='zakończył(a)'),
        ),
        migrations.AddField(
            model_name='training',
            name='curriculum',
            field=models.TextField(blank=True, help_text='Zagadnienia, jedno w wierszu; drukowane na zaświadczeniu.', verbose_name='program szkolenia'),
        ),
        migrations.AddField(
            model_name='training',
            name='hours',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Wymiar szkolenia w godzinach. Puste: suma czasu trwania sesji.', null=True, verbose_name='liczba godzin'),
        ),
        migrations.AddField(
            model_name='training',
            name='issuer',
            field=models.CharField(blank=True, help_text='Pełna nazwa instytucji. Puste: nazwa portalu.', max_length=200, verbose_name='organizator (wystawca zaświadczeń)'),
        ),
        migrations.AlterField(
            model_name='enrolment',
            name='status',
            field=models.CharField(choices=[('pending', 'czeka na potwierdzenie adresu e-mail'), ('registered', 'zgłoszony'), ('waitlisted', 'lista rezerwowa'), ('confirmed', 'potwierdzony'), ('cancelled', 'anulowany')], default='registered', max_length=10, verbose_name='status'),
        ),
    ]
