"""API tokens expire. Tokens made before expiry existed get the default lifetime from when they
were made (some are expired at once: an administrator makes new ones, `venowatch token list`
shows which)."""

from datetime import timedelta
from typing import Any

from django.db import migrations, models

DEFAULT_DAYS = 90


def _give_expiry(apps: Any, schema_editor: Any) -> None:
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + timedelta(days=DEFAULT_DAYS)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="expires at"),
        ),
        migrations.RunPython(_give_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(editable=False, verbose_name="expires at"),
        ),
    ]
