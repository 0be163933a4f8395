from django.db import migrations


class Migration(migrations.Migration):
    """The leaves of parallel parts: the patients' languages, the phone's missed check-in
    window and the replay's protocol files."""

    dependencies = [
        ("clinic", "0300_lang_patient_language"),
        ("clinic", "0300_phone_missed_checkin_days"),
        ("clinic", "0300_replay_protocol_files"),
    ]

    operations = []
