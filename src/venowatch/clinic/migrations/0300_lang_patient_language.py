from django.db import migrations, models

LANGUAGES = [("en", "English"), ("es", "Spanish"), ("fr", "French"), ("it", "Italian")]


class Migration(migrations.Migration):
    dependencies = [("clinic", "0203_merge_audit")]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="language",
            field=models.CharField(
                blank=True,
                choices=LANGUAGES,
                help_text=(
                    "Chosen by the patient on their account page. Empty: pages follow the "
                    "browser, emails and texts the clinic's language."
                ),
                max_length=16,
                verbose_name="language of the patient's pages and messages",
            ),
        ),
        migrations.AddField(
            model_name="clinic",
            name="language",
            field=models.CharField(
                choices=LANGUAGES,
                default="en",
                help_text=(
                    "Emails and texts to a patient who has not chosen a language are in this one."
                ),
                max_length=16,
                verbose_name="language of patients' messages",
            ),
        ),
        # The staff's record of the language the patient prefers offers the same choices.
        migrations.AlterField(
            model_name="patientdetails",
            name="language",
            field=models.CharField(
                choices=LANGUAGES, default="en", max_length=16, verbose_name="preferred language"
            ),
        ),
    ]
