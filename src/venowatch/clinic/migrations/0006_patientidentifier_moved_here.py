# The patient identifier model moves from the old `fhir` app to `clinic`: the table stays, only
# Django's idea of which app owns it changes (see legacy_fhir/migrations/0002).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_clinic_notification_settings"),
        ("fhir", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PatientIdentifier",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("system", models.CharField(max_length=255)),
                        ("value", models.CharField(max_length=255)),
                        (
                            "clinic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="clinic.clinic",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="identifiers",
                                to="clinic.patient",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "fhir_patientidentifier",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("clinic", "system", "value"),
                                name="one_patient_per_identifier",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
