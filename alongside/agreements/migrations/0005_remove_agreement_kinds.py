# AgreementKind and AgreementRecord were carried over by 0004: templates with a first
# version, program requirements, and signed documents "recorded on paper".

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_carry_over_agreements"),
        ("organizations", "0002_documents"),
    ]

    operations = [
        # Records first (they point at kinds); dropping a table drops its constraints.
        migrations.DeleteModel(name="HistoricalAgreementRecord"),
        migrations.DeleteModel(name="AgreementRecord"),
        migrations.DeleteModel(name="AgreementKind"),
    ]
