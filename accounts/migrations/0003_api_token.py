import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def drop_plaintext_tokens(apps, schema_editor):
    """DRF's authtoken table held every token in plain text, unscoped and without expiry: drop it (its owners
    create scoped tokens in the panel), and forget its migrations so the app could be installed again cleanly."""
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
            cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_create_role_groups'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='nazwa')),
                ('prefix', models.CharField(max_length=12, verbose_name='początek tokenu')),
                ('key_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('scopes', models.JSONField(default=list, verbose_name='zakres')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='utworzony')),
                ('expires_at', models.DateTimeField(verbose_name='ważny do')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='ostatnio użyty')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='odwołany')),
                ('revoked_reason', models.CharField(blank=True, choices=[('owner', 'odwołany przez właściciela'), ('password', 'zmiana hasła'), ('role', 'zmiana roli')], default='', max_length=20, verbose_name='powód odwołania')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='właściciel')),
            ],
            options={
                'verbose_name': 'token API',
                'verbose_name_plural': 'tokeny API',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['user', 'revoked_at'], name='accounts_apitoken_user_active')],
            },
        ),
        migrations.RunPython(drop_plaintext_tokens, migrations.RunPython.noop),
    ]
