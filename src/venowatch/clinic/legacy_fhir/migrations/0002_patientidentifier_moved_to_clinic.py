# The model now belongs to `clinic` (clinic/migrations/0006); its table is kept.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('fhir', '0001_initial'),
        ('clinic', '0006_patientidentifier_moved_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PatientIdentifier')],
            database_operations=[],
        ),
    ]
