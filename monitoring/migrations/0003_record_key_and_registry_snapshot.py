"""Responses get their secret record key (the cell-key method, docs/decisions/0005); waves get the registry's
counts as they were when the wave closed."""

import secrets

import django.db.models.deletion
from django.db import migrations, models

import monitoring.models


def fill_record_keys(apps, schema_editor):
    """Each existing response its own random key (a column default would give every row the same one)."""
    Response = apps.get_model("monitoring", "Response")
    batch = []
    for response in Response.objects.only("pk").iterator(chunk_size=2000):
        response.record_key = secrets.randbelow(2**31)
        batch.append(response)
        if len(batch) == 2000:
            Response.objects.bulk_update(batch, ["record_key"])
            batch = []
    Response.objects.bulk_update(batch, ["record_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_statistics_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="record_key",
            field=models.IntegerField(editable=False, null=True, verbose_name="klucz rekordu"),
        ),
        migrations.RunPython(fill_record_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="response",
            name="record_key",
            field=models.IntegerField(
                default=monitoring.models.new_record_key, editable=False, verbose_name="klucz rekordu"
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.CheckConstraint(
                condition=models.Q(("record_key__gte", 0), ("record_key__lt", 2147483648)),
                name="response_record_key_range",
            ),
        ),
        migrations.CreateModel(
            name="RegistrySnapshot",
            fields=[
                (
                    "wave",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="registry_snapshot",
                        serialize=False,
                        to="monitoring.wave",
                    ),
                ),
                ("taken_at", models.DateTimeField(verbose_name="stan na")),
                ("registered", models.PositiveIntegerField(verbose_name="zarejestrowane")),
                ("active", models.PositiveIntegerField(verbose_name="aktywne")),
                ("liquidation", models.PositiveIntegerField(verbose_name="w likwidacji")),
            ],
            options={
                "verbose_name": "stan rejestru przy zamknięciu fali",
                "verbose_name_plural": "stany rejestru przy zamknięciu fal",
            },
        ),
    ]
