"""Carry AgreementKind / AgreementRecord over to document templates and signed documents.

Each agreement kind becomes a template whose first version says the text was kept on
paper; each program's required kinds become requirements (no re-signing: the paper
copies stand); each record becomes a signed document, method "paper", signed on its date
by the participant as named in the record, recorded by the same person at the same time.
"""

import datetime
import hashlib

from django.db import migrations
from django.utils import timezone
from django.utils.html import escape


def document_html(title, body):
    # Frozen copy of alongside.agreements.models.document_html.
    return f"<h1>{escape(title)}</h1>\n{body}"


def carry_over(apps, schema_editor):
    AgreementKind = apps.get_model("agreements", "AgreementKind")
    AgreementRecord = apps.get_model("agreements", "AgreementRecord")
    DocumentTemplate = apps.get_model("agreements", "DocumentTemplate")
    DocumentVersion = apps.get_model("agreements", "DocumentVersion")
    DocumentRequirement = apps.get_model("agreements", "DocumentRequirement")
    SignedDocument = apps.get_model("agreements", "SignedDocument")
    Program = apps.get_model("organizations", "Program")

    now = timezone.now()
    versions = {}
    for kind in AgreementKind.objects.all():
        template = DocumentTemplate.objects.create(
            organization_id=kind.organization_id, title=kind.name, kind="agreement"
        )
        body = f"<p>{escape(kind.description)}</p>\n" if kind.description else ""
        body += "<p>This document was signed on paper; the signed copy is kept on file.</p>"
        version = DocumentVersion.objects.create(
            template=template,
            number=1,
            title=kind.name,
            body=body,
            signers=["participant"],
            published_at=now,
        )
        template.current = version
        template.save(update_fields=["current"])
        versions[kind.pk] = version

    for program in Program.objects.all():
        for kind in program.required_agreements.all():
            DocumentRequirement.objects.create(
                program=program, template=versions[kind.pk].template, resign_on_new_version=False
            )

    for record in AgreementRecord.objects.select_related("engagement__participant"):
        version = versions[record.kind_id]
        participant = record.engagement.participant
        signed = SignedDocument.objects.create(
            engagement_id=record.engagement_id,
            version=version,
            signer_name=f"{participant.first_name} {participant.last_name}".strip(),
            role="participant",
            method="paper",
            signed_at=timezone.make_aware(
                datetime.datetime.combine(record.signed_on, datetime.time(12))
            ),
            sha256=hashlib.sha256(
                document_html(version.title, version.body).encode("utf-8")
            ).hexdigest(),
            recorded_by_id=record.recorded_by_id,
        )
        # auto_now_add stamped today; keep when it was really recorded.
        SignedDocument.objects.filter(pk=signed.pk).update(recorded_at=record.recorded_at)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0003_documents"),
        ("organizations", "0001_initial"),
        ("engagements", "0004_tier"),
        ("participants", "0001_initial"),
    ]

    # Going back leaves the old tables empty: the documents stay the record.
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
