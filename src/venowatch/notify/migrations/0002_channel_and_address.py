# A notification is addressed to a channel and an address: the email address it had (`to`)
# becomes its address on the email channel. One per event and recipient becomes one per event,
# recipient and channel, so a person reached on two channels hears on both.

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.exceptions import IrreversibleError


def _backward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Runs before the channel column goes: `to` can only hold email addresses.
    Notification = apps.get_model('notify', 'Notification')
    if Notification.objects.exclude(channel='email').exists():
        raise IrreversibleError(
            'notifications on channels other than email have no email address to go back to'
        )


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='channel',
            field=models.CharField(choices=[('email', 'Email')], default='email', max_length=12),
            preserve_default=False,
        ),
        migrations.RenameField(
            model_name='notification',
            old_name='to',
            new_name='address',
        ),
        migrations.AlterField(
            model_name='notification',
            name='address',
            field=models.CharField(help_text='Where on the channel: an email address for email.', max_length=254),
        ),
        migrations.AlterField(
            model_name='notification',
            name='key',
            field=models.CharField(help_text='One notification per event, recipient and channel.', max_length=200),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(fields=('key', 'channel'), name='one_per_event_and_channel'),
        ),
        migrations.AlterField(
            model_name='attempt',
            name='outcome',
            field=models.CharField(choices=[('sent', 'Accepted for delivery'), ('retry', 'Failed; will retry'), ('failed', 'Failed for good'), ('cancelled', 'Cancelled')], max_length=12),
        ),
        # Forward, the new column's default has made every existing row an email.
        migrations.RunPython(migrations.RunPython.noop, _backward),
    ]
