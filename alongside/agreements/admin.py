"""Document templates in the admin: saving a changed text publishes a new version."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alongside.agreements import services
from alongside.agreements.fields import fields_parse, fields_text
from alongside.agreements.models import (
    DocumentRequirement,
    DocumentTemplate,
    DocumentVersion,
    SignerRole,
)
from alongside.core.admin import OrganizationScopedAdmin, OrganizationScopedInline
from alongside.core.errors import RuleViolation


class DocumentTemplateForm(forms.ModelForm):
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100}),
        help_text=_(
            "HTML with p, h2, h3, ul, ol, li, strong, em, br and links only; anything else "
            "is removed when saved. Saving a changed text publishes a new version."
        ),
    )
    fields_to_fill = forms.CharField(
        label=_("Fields to fill"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=_(
            "One per line, filled by the participant (or guardian) when signing. Add [date], "
            "[yes/no] or [long] after the label for a date, a yes/no answer or several lines; "
            "end with * if it must be filled. Example: “Preferred contact number *”."
        ),
    )
    signers = forms.MultipleChoiceField(
        label=_("Who signs"),
        choices=SignerRole.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[SignerRole.PARTICIPANT],
    )

    class Meta:
        model = DocumentTemplate
        fields = ["organization", "title", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.current if self.instance.pk else None
        if current is not None:
            self.fields["body"].initial = current.body
            self.fields["signers"].initial = current.signers
            self.fields["fields_to_fill"].initial = fields_text(current.fields)

    def clean_fields_to_fill(self):
        try:
            return fields_parse(self.cleaned_data["fields_to_fill"])
        except RuleViolation as refusal:
            raise ValidationError(refusal.message) from None

    def clean_body(self):
        body = services.sanitize_body(self.cleaned_data["body"])
        if not body:
            raise ValidationError(_("Write the document's text."))
        return body


class DocumentVersionInline(OrganizationScopedInline):
    model = DocumentVersion
    fields = ["number", "title", "signers", "fields", "published_at", "published_by"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(OrganizationScopedAdmin):
    form = DocumentTemplateForm
    inlines = [DocumentVersionInline]
    list_display = ["title", "kind", "organization", "current"]
    list_filter = ["organization", "kind"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            made = services.document_template_create(
                organization=data["organization"],
                title=data["title"],
                kind=data["kind"],
                body=data["body"],
                signers=data["signers"],
                fields=data["fields_to_fill"],
                actor=request.user,
            )
            obj.pk = made.pk
            obj.current = made.current
            return
        title = obj.title
        # The title is part of the signed text: it changes only with a new version.
        obj.title = DocumentTemplate.objects.get(pk=obj.pk).title
        obj.save(update_fields=["organization", "kind"])
        services.document_version_publish(
            template=obj,
            title=title,
            body=data["body"],
            signers=data["signers"],
            fields=data["fields_to_fill"],
            actor=request.user,
        )


class DocumentRequirementInline(OrganizationScopedInline):
    model = DocumentRequirement
    fields = ["template", "resign_on_new_version"]
