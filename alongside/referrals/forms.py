"""Intake and screening forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import LANGUAGE_CHOICES, Gender, TimeOfWeek, experience_choices
from alongside.participants.models import DETAIL_FIELDS, Participant, RaceEthnicity
from alongside.participants.validators import validate_birth_date, validate_phone
from alongside.referrals.models import ContactChannel, Referral, Source, Urgency


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = list(DETAIL_FIELDS)
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "gender": _("Optional, as they describe themselves; for funder reports."),
            "race_ethnicity": _("Optional; any that apply, as they describe themselves."),
        }

    race_ethnicity = forms.MultipleChoiceField(
        label=_("Race and ethnicity"),
        choices=RaceEthnicity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ReferralForm(forms.ModelForm):
    """The coordinator's form (the staff door)."""

    lived_experience_wanted = forms.MultipleChoiceField(
        label=_("Lived experience that matters to them"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_times = forms.MultipleChoiceField(
        label=_("Good times to meet"),
        choices=TimeOfWeek.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if any time is fine."),
    )

    class Meta:
        model = Referral
        fields = [
            "program",
            "source",
            "source_detail",
            "referrer_name",
            "referrer_organization",
            "referrer_email",
            "referrer_phone",
            "needs",
            "preferred_language",
            "language_required",
            "supporter_gender_preference",
            "gender_required",
            "lived_experience_wanted",
            "meeting_place",
            "remote_ok",
            "preferred_times",
            "urgency",
            "contact_channel",
            "contact_notes",
        ]
        widgets = {
            "needs": forms.Textarea(attrs={"rows": 4}),
            "referrer_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        labels = {"supporter_gender_preference": _("Supporter gender preference (if any)")}
        help_texts = {
            "referrer_email": _(
                "If they are declined, the referrer gets a short email without clinical detail."
            )
        }

    def __init__(self, *args, programs, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["lived_experience_wanted"].choices = experience_choices(organization)

    def clean(self):
        data = super().clean()
        if data.get("gender_required") and not data.get("supporter_gender_preference"):
            self.add_error(
                "gender_required", _("Choose the supporter gender that is a must, or untick this.")
            )
        return data


class ScreenForm(forms.Form):
    DECISIONS = [
        ("accept", _("Accept: look for a match")),
        ("waitlist", _("Waitlist")),
        ("decline", _("Decline")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    priority = forms.IntegerField(
        label=_("Waitlist priority (1 highest, 5 lowest)"),
        min_value=1,
        max_value=5,
        initial=3,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    share_reason = forms.BooleanField(
        label=_("Share the reason with the referrer"),
        required=False,
        help_text=_(
            "The referrer gets a short email saying we cannot offer support now. Tick this "
            "to add the reason, word for word: leave out health details."
        ),
    )

    def __init__(self, *args, referral: Referral | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if referral is not None and not referral.referrer_email:
            del self.fields["share_reason"]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the referral is declined."))
        return data


# the public page ---------------------------------------------------------------------

SELF, PARTNER = "self", "partner"
HONEYPOT = "website"


def _text(label, max_length: int, *, required: bool = False, help_text="", **attrs):
    widget = forms.TextInput(attrs=attrs) if attrs else None
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text, widget=widget
    )


class PublicReferralForm(forms.Form):
    """Self-referral and partner referral, without signing in."""

    kind = forms.ChoiceField(
        label=_("Who is filling in this form?"),
        choices=[
            (SELF, _("I am asking for peer support for myself")),
            (PARTNER, _("I am referring someone else, with their agreement")),
        ],
        initial=SELF,
        widget=forms.RadioSelect,
    )
    # The partner: a professional, an agency, family or a friend.
    referrer_name = _text(_("Your name"), 200, autocomplete="name")
    referrer_organization = _text(
        _("Your organization"), 200, help_text=_("Leave empty if you are family or a friend.")
    )
    relationship = forms.ChoiceField(
        label=_("How do you know the person?"),
        choices=[("", "—"), *[c for c in Source.choices if c[0] != Source.SELF]],
        required=False,
    )
    referrer_email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    referrer_phone = forms.CharField(
        label=_("Your phone"),
        max_length=40,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    agreed = forms.BooleanField(
        label=_("The person knows about this referral and agreed to be contacted by us."),
        required=False,
    )

    # The person who would receive support.
    first_name = _text(_("First name"), 100, required=True, autocomplete="given-name")
    last_name = _text(_("Last name"), 100, autocomplete="family-name")
    preferred_name = _text(_("Name they like to be called (if different)"), 100)
    pronouns = _text(_("Pronouns"), 40, help_text=_("For example she/her, he/him, they/them."))
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("Optional. It helps us avoid mixing up two people with the same name."),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_birth_date],
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=LANGUAGE_CHOICES, initial="en"
    )
    language_required = forms.BooleanField(
        label=_("Only a peer supporter who speaks this language"), required=False
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    contact_channel = forms.ChoiceField(
        label=_("Best way to get in touch"),
        choices=[("", _("Any")), *ContactChannel.choices],
        required=False,
    )
    contact_notes = _text(
        _("Best days and times to get in touch"),
        400,
        help_text=_("For example: weekdays after 3 pm; please do not leave a voicemail."),
    )

    # What support is wanted.
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )
    needs = forms.CharField(
        label=_("What support is wanted?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In your own words. No need to share more than you want to."),
    )
    lived_experience_wanted = forms.MultipleChoiceField(
        label=_("A peer supporter with lived experience of… (tick any that matter)"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    supporter_gender_preference = forms.ChoiceField(
        label=_("Peer supporter's gender"),
        choices=[("", _("No preference")), *[c for c in Gender.choices if c[0] != "undisclosed"]],
        required=False,
    )
    gender_required = forms.BooleanField(label=_("This is a must"), required=False)
    meeting_place = _text(
        _("Where would you like to meet?"),
        200,
        help_text=_("A town or neighborhood. Leave empty if you would rather not meet in person."),
    )
    remote_ok = forms.BooleanField(label=_("Phone or video is fine"), required=False, initial=True)
    preferred_times = forms.MultipleChoiceField(
        label=_("When are good times to meet? (tick any)"),
        choices=TimeOfWeek.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if any time is fine."),
    )
    urgency = forms.ChoiceField(
        label=_("How soon is support needed?"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
    )

    # Hidden from people by CSS, not from bots; a filled-in value marks a bot.
    website = forms.CharField(
        label=_("Leave this field empty"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    PARTNER_FIELDS = (
        "referrer_name",
        "referrer_organization",
        "relationship",
        "referrer_email",
        "referrer_phone",
        "agreed",
    )

    def __init__(self, *args, organization, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        if len(programs) == 1:
            self.fields["program"].initial = programs[0].pk
        self.fields["lived_experience_wanted"].choices = experience_choices(organization)
        self._plain_labels = {name: field.label for name, field in self.fields.items()}
        for name in ("first_name", "program", "needs"):
            self.fields[name].label = _("%(label)s (required)") % {
                "label": self.fields[name].label
            }
        self.fields["first_name"].error_messages["required"] = _(
            "Give the person's first name, or the name they use."
        )
        self.fields["needs"].error_messages["required"] = _(
            "Say in a few words what support is wanted."
        )
        self.fields["program"].error_messages["required"] = _("Choose a program.")

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(field name, label, message) of every field error, in the order of the form."""
        return [
            (name, str(self._plain_labels[name]), str(message))
            for name in self.fields
            for message in self.errors.get(name, [])
        ]

    def clean(self):
        data = super().clean()
        partner = data.get("kind") == PARTNER
        if partner:
            self._check_partner(data)
        else:
            for name in self.PARTNER_FIELDS:
                data[name] = False if name == "agreed" else ""
        self._check_reachable(data, partner)
        if data.get("gender_required") and not data.get("supporter_gender_preference"):
            self.add_error(
                "gender_required", _("Choose the supporter gender that is a must, or untick this.")
            )
        return data

    def _check_partner(self, data: dict) -> None:
        if not data.get("referrer_name"):
            self.add_error("referrer_name", _("Give your name."))
        if not data.get("relationship"):
            self.add_error("relationship", _("Say how you know the person."))
        own_contact = data.get("referrer_email") or data.get("referrer_phone")
        if not own_contact and not self._has_error("referrer_email", "referrer_phone"):
            self.add_error("referrer_email", _("Give your email or phone so we can reach you."))
        if not data.get("agreed"):
            self.add_error(
                "agreed", _("Refer someone only once they have agreed; then tick this box.")
            )

    def _check_reachable(self, data: dict, partner: bool) -> None:
        if self._has_error("phone", "email"):
            return
        phone, email = data.get("phone"), data.get("email")
        referrer = partner and (data.get("referrer_email") or data.get("referrer_phone"))
        if not (phone or email or referrer):
            self.add_error(
                "phone",
                _("Give the person's phone or email, or your own, so we can get in touch.")
                if partner
                else _("Give a phone number or an email address so we can get in touch."),
            )
            return
        channel = data.get("contact_channel")
        if partner:
            return  # the partner may have given only their own contact
        if channel in (ContactChannel.PHONE, ContactChannel.TEXT) and not phone:
            self.add_error("phone", _("Give a phone number, or choose another way."))
        if channel == ContactChannel.EMAIL and not email:
            self.add_error("email", _("Give an email address, or choose another way."))

    def _has_error(self, *names: str) -> bool:
        return any(name in self.errors for name in names)

    def participant_data(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name) or ("" if name != "date_of_birth" else None)
            for name in (
                "first_name",
                "last_name",
                "preferred_name",
                "pronouns",
                "date_of_birth",
                "preferred_language",
                "phone",
                "email",
            )
        }

    def referral_fields(self) -> dict:
        """The keyword arguments of referral_create besides the person and the program."""
        data = self.cleaned_data
        partner = data["kind"] == PARTNER
        return {
            "source": data["relationship"] if partner else Source.SELF,
            "source_detail": data["referrer_organization"] if partner else "",
            "referrer_name": data["referrer_name"],
            "referrer_organization": data["referrer_organization"],
            "referrer_email": data["referrer_email"],
            "referrer_phone": data["referrer_phone"],
            "needs": data["needs"],
            "preferred_language": data["preferred_language"],
            "language_required": data["language_required"],
            "supporter_gender_preference": data["supporter_gender_preference"],
            "gender_required": data["gender_required"],
            "lived_experience_wanted": list(data["lived_experience_wanted"]),
            "meeting_place": data["meeting_place"],
            "remote_ok": data["remote_ok"],
            "preferred_times": list(data["preferred_times"]),
            "urgency": data["urgency"],
            "contact_channel": data["contact_channel"],
            "contact_notes": data["contact_notes"],
        }
