"""Document templates, their versions, signing, the activation gate and PDFs."""

from __future__ import annotations

import io

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alongside.agreements.models import (
    DocumentRequirement,
    DocumentVersion,
    Immutable,
    SignedDocument,
)
from alongside.agreements.services import (
    STARTING_TEMPLATES,
    STARTING_TEMPLATES_DIR,
    document_record_paper,
    document_sign,
    document_version_publish,
    sanitize_body,
    starting_templates_install,
)
from alongside.agreements.testing import signed_on_paper, signing_form
from alongside.core.errors import RuleViolation
from alongside.emergencyplans.testing import emergency_plan_give
from alongside.engagements.models import State
from alongside.engagements.services import missing_for_activation
from alongside.engagements.testing import conversations_and_worksheet
from alongside.participants.models import Participant
from conftest import PASSWORD, open_engagement


def _onboarding(world):
    participant = Participant.objects.create(
        organization=world.org, first_name="Robin", last_name="Vale", user=None
    )
    return open_engagement(participant, world.program, world.supporter, State.ONBOARDING)


def _portal_engagement(world):
    """Pat in onboarding in the respite program, which requires the release."""
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    return open_engagement(world.participant, world.respite, world.supporter, State.ONBOARDING)


def _sign(world, engagement, version, **overrides):
    fields = {
        "engagement": engagement,
        "version": version,
        "shown_hash": version.sha256,
        "typed_name": "Pat Rivera",
        "actor": world.participant_user,
    }
    return document_sign(**(fields | overrides))


# Sanitizing


@pytest.mark.parametrize(
    "dirty",
    [
        "<p>Hi</p><script>alert(1)</script>",
        '<p onclick="alert(1)">Hi</p>',
        '<p style="color:red">Hi</p>',
        '<p>Hi</p><img src="x" onerror="alert(1)">',
        '<p>Hi</p><iframe src="https://evil.example"></iframe>',
    ],
)
def test_script_handlers_and_styles_never_reach_a_body(dirty):
    clean = sanitize_body(dirty)
    assert "Hi" in clean
    for bad in ("script", "onclick", "onerror", "style", "img", "iframe", "alert"):
        assert bad not in clean


def test_links_keep_only_web_and_mail_addresses():
    clean = sanitize_body(
        '<p><a href="javascript:alert(1)">x</a> <a href="https://988lifeline.org">988</a>'
        ' <a href="mailto:help@example.org">mail</a></p>'
    )
    assert "javascript" not in clean
    assert 'href="https://988lifeline.org"' in clean
    assert 'href="mailto:help@example.org"' in clean


def test_formatting_tags_survive():
    html = (
        "<h2>A</h2><h3>B</h3><ul><li><strong>c</strong></li></ul><ol><li><em>d</em><br></li></ol>"
    )
    clean = sanitize_body(html)
    for tag in ("<h2>", "<h3>", "<ul>", "<ol>", "<li>", "<strong>", "<em>", "<br>"):
        assert tag in clean


# Versions


def test_editing_publishes_a_new_version_and_keeps_the_old_text(world):
    old = world.release.current
    new = document_version_publish(
        template=world.release,
        body="<p>New words.</p><script>x</script>",
        signers=["participant", "witness"],
        actor=world.admin,
    )
    world.release.refresh_from_db()
    assert new.number == 2
    assert world.release.current == new
    assert new.body == "<p>New words.</p>"
    assert DocumentVersion.objects.get(pk=old.pk).body == "<p>I take part by my own choice.</p>"


def test_publishing_the_same_text_adds_no_version(world):
    current = world.release.current
    assert (
        document_version_publish(
            template=world.release, body=current.body, signers=current.signers, actor=world.admin
        )
        is None
    )


def test_a_version_and_a_signed_document_can_never_be_changed(world):
    version = world.release.current
    version.body = "<p>Changed quietly.</p>"
    with pytest.raises(Immutable):
        version.save()
    signed = world.signed[0]
    signed.signer_name = "Someone Else"
    with pytest.raises(Immutable):
        signed.save()
    assert SignedDocument.objects.get(pk=signed.pk).signer_name == "Pat Rivera"


def test_the_starting_templates_install_once(world):
    made = starting_templates_install(organization=world.other_org)
    assert [t.title for t in made] == [title for _f, title, _k, _s in STARTING_TEMPLATES]
    assert all(t.current.number == 1 and "<p>" in t.current.body for t in made)
    # Every starting text survives sanitizing whole: nothing an organization reads is lost.
    for filename, *_rest in STARTING_TEMPLATES:
        text = (STARTING_TEMPLATES_DIR / filename).read_text(encoding="utf-8").strip()
        assert sanitize_body(text) == text, filename
    contract = next(t for t in made if t.title == "Joint Participation Contract")
    assert [f["label"] for f in contract.current.fields] == [
        "What I hope to get from peer support",
        "How often we plan to meet",
    ]
    assert starting_templates_install(organization=world.other_org) == []


def test_starting_templates_skip_a_title_the_organization_has(world):
    made = starting_templates_install(organization=world.org)
    assert "Release of Liability" not in [t.title for t in made]
    assert len(made) == len(STARTING_TEMPLATES) - 2  # Riverbend has the release and contract


# Signing


def test_the_participant_signs_the_current_version(world):
    engagement = _portal_engagement(world)
    signed = _sign(world, engagement, world.release.current, ip="203.0.113.5", user_agent="UA")
    assert signed.method == "portal"
    assert signed.signer == world.participant_user
    assert signed.sha256 == world.release.current.sha256
    assert (signed.ip, signed.user_agent) == ("203.0.113.5", "UA")


def test_a_tampered_document_hash_is_refused(world):
    engagement = _portal_engagement(world)
    with pytest.raises(RuleViolation, match="does not match"):
        _sign(world, engagement, world.release.current, shown_hash="0" * 64)
    assert not SignedDocument.objects.filter(engagement=engagement).exists()


def test_a_superseded_version_is_refused_and_the_new_one_must_be_read(world):
    engagement = _portal_engagement(world)
    old = world.release.current
    document_version_publish(
        template=world.release, body="<p>Revised.</p>", signers=["participant"], actor=None
    )
    with pytest.raises(RuleViolation, match="new version"):
        _sign(world, engagement, old)


def test_a_replayed_signature_is_refused(world):
    engagement = _portal_engagement(world)
    _sign(world, engagement, world.release.current)
    with pytest.raises(RuleViolation, match="already signed"):
        _sign(world, engagement, world.release.current)
    assert SignedDocument.objects.filter(engagement=engagement).count() == 1


def test_the_database_refuses_a_second_signature_in_the_same_role(world):
    signed = world.signed[0]
    with pytest.raises(IntegrityError):
        SignedDocument.objects.create(
            engagement=signed.engagement,
            version=signed.version,
            role=signed.role,
            signer_name="x",
            method="paper",
            signed_at=timezone.now(),
            sha256=signed.sha256,
        )


def test_the_typed_name_must_be_the_participants(world):
    engagement = _portal_engagement(world)
    with pytest.raises(RuleViolation, match="Pat Rivera"):
        _sign(world, engagement, world.release.current, typed_name="Mickey Mouse")


def test_a_paper_signature_cannot_be_dated_in_the_future(world):
    engagement = _onboarding(world)
    with pytest.raises(RuleViolation, match="future"):
        document_record_paper(
            engagement=engagement,
            version=world.release.current,
            signer_name="Robin Vale",
            signed_on=timezone.localdate() + timezone.timedelta(days=1),
            actor=world.supporter,
        )


# The activation gate


def test_activation_waits_for_every_required_document_and_the_plan(world):
    engagement = _onboarding(world)
    conversations_and_worksheet(engagement, world.supporter)
    assert missing_for_activation(engagement) == [
        "Joint Participation Contract",
        "Release of Liability",
        "Emergency plan",
    ]
    for template in (world.release, world.contract):
        signed_on_paper(engagement, template, world.supporter)
    emergency_plan_give(engagement.participant, world.supporter)
    assert missing_for_activation(engagement) == []


def test_a_new_version_asks_for_re_signing_when_the_program_says_so(world):
    conversations_and_worksheet(world.engagement, world.supporter)
    assert missing_for_activation(world.engagement) == ["Emergency plan"]
    document_version_publish(
        template=world.release, body="<p>Revised.</p>", signers=["participant"], actor=None
    )
    assert missing_for_activation(world.engagement) == ["Release of Liability", "Emergency plan"]
    DocumentRequirement.objects.filter(template=world.release).update(resign_on_new_version=False)
    assert missing_for_activation(world.engagement) == ["Emergency plan"]


def test_a_supporters_signature_alone_does_not_open_the_gate(world):
    engagement = _onboarding(world)
    document_record_paper(
        engagement=engagement,
        version=world.contract.current,
        signer_name="Sunny Demo",
        role="supporter",
        signed_on=timezone.localdate(),
        actor=world.supporter,
    )
    assert "Joint Participation Contract (still to sign: participant)" in missing_for_activation(
        engagement
    )


# Pages


def test_the_participant_signs_in_the_portal_with_their_password(client, world):
    engagement = _portal_engagement(world)
    client.force_login(world.participant_user)
    url = reverse("agreements:portal_sign", args=[engagement.pk, world.release.pk])
    page = client.get(url).content.decode()
    version = world.release.current
    assert "I take part by my own choice." in page
    assert version.sha256 in page
    form = signing_form(engagement, world.release, world.participant_user, typed_name="Pat Rivera")

    wrong = client.post(url, form | {"password": "not it"})
    assert wrong.status_code == 400
    assert "That is not your password" in wrong.content.decode()
    assert not SignedDocument.objects.filter(engagement=engagement).exists()

    response = client.post(url, form | {"password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    signed = SignedDocument.objects.get(engagement=engagement)
    assert (signed.method, signed.ip, signed.version) == ("portal", "198.51.100.7", version)

    replay = client.post(url, form | {"password": PASSWORD})
    assert replay.status_code == 409
    assert "is already signed" in replay.content.decode()
    assert SignedDocument.objects.filter(engagement=engagement).count() == 1


def test_a_tampered_portal_submission_is_refused(client, world):
    engagement = _portal_engagement(world)
    client.force_login(world.participant_user)
    url = reverse("agreements:portal_sign", args=[engagement.pk, world.release.pk])
    response = client.post(
        url,
        signing_form(
            engagement,
            world.release,
            world.participant_user,
            document_hash="f" * 64,
            typed_name="Pat Rivera",
            password=PASSWORD,
        ),
    )
    assert response.status_code == 409
    assert "does not match" in response.content.decode()
    assert not SignedDocument.objects.filter(engagement=engagement).exists()


def test_the_participant_cannot_sign_for_someone_else(client, world):
    client.force_login(world.participant_user)
    url = reverse("agreements:portal_sign", args=[world.other_engagement.pk, world.release.pk])
    assert client.get(url).status_code == 404


def test_the_engagement_page_shows_who_signed_which_version(client, world):
    client.force_login(world.supporter)
    page = client.get(reverse("engagements:detail", args=[world.engagement.pk])).content.decode()
    assert "Version 1 signed by Pat Rivera (Participant)" in page
    assert reverse("agreements:pdf", args=[world.signed[0].pk]) in page


# PDF


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_signed_document_downloads_as_a_pdf_with_its_signature_block(client, world):
    engagement = _portal_engagement(world)
    signed = _sign(world, engagement, world.release.current)
    client.force_login(world.supporter)
    response = client.get(reverse("agreements:pdf", args=[signed.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Release of Liability" in text
    assert "I take part by my own choice." in text
    assert "Pat Rivera" in text
    assert "version 1" in text
    assert signed.sha256[:16] in text.replace("\n", "")


def test_the_participant_downloads_their_own_pdf_only(client, world):
    client.force_login(world.participant_user)
    own = client.get(reverse("agreements:portal_pdf", args=[world.signed[0].pk]))
    assert own.status_code == 200
    assert "Pat Rivera" in _pdf_text(own.content)
    other = document_record_paper(
        engagement=world.other_engagement,
        version=world.release.current,
        signer_name="Quinn Lee",
        signed_on=timezone.localdate(),
        actor=world.other_supporter,
    )
    assert client.get(reverse("agreements:portal_pdf", args=[other.pk])).status_code == 404


# Admin


def test_saving_a_changed_text_in_the_admin_publishes_a_new_version(client, world):
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    url = reverse("admin:agreements_documenttemplate_change", args=[world.release.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "organization": world.org.pk,
            "title": "Release of Liability",
            "kind": "release",
            "body": '<p onmouseover="x()">Plainer words.</p>',
            "signers": ["participant"],
            "versions-TOTAL_FORMS": 1,
            "versions-INITIAL_FORMS": 1,
            "versions-MIN_NUM_FORMS": 0,
            "versions-MAX_NUM_FORMS": 1000,
            "versions-0-id": world.release.current.pk,
            "versions-0-template": world.release.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    world.release.refresh_from_db()
    assert world.release.current.number == 2
    assert world.release.current.body == "<p>Plainer words.</p>"
