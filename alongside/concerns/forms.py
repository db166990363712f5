from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.concerns.models import Category, ConcernStatus, ConcernUrgency, InformedHow

MY_SUPPORTER = "my_supporter"
HONEYPOT = "website"


class ConcernForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices)
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=ConcernUrgency.choices,
        initial=ConcernUrgency.NORMAL,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "A coordinator reads every concern. If you are in danger now, call 988 or 911."
        ),
    )


class SignedInConcernForm(ConcernForm):
    """Staff and participants: optionally about a staff member; a participant may say "my
    peer supporter" and ask for a different one."""

    about = forms.ChoiceField(label=_("Is it about a staff member?"), required=False)

    def __init__(self, *args, staff, participant: bool, has_supporter: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("No one in particular"))]
        if participant and has_supporter:
            choices.append((MY_SUPPORTER, _("My peer supporter")))
        choices += [(str(user.pk), user.get_full_name() or user.username) for user in staff]
        self.fields["about"].choices = choices
        self.staff = {str(user.pk): user for user in staff}
        if participant and has_supporter:
            self.fields["wants_different_supporter"] = forms.BooleanField(
                label=_("I would like a different peer supporter"),
                required=False,
                help_text=_(
                    "You keep your support while we find one, and asking costs you nothing."
                ),
            )

    def subject(self, supporter=None):
        about = self.cleaned_data.get("about") or ""
        if about == MY_SUPPORTER:
            return supporter
        return self.staff.get(about)


class PublicConcernForm(ConcernForm):
    """Without signing in; every way to reach the person is optional."""

    subject_text = forms.CharField(
        label=_("Who or what is it about? (optional)"), required=False, max_length=200
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=120)
    contact_phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=40)
    contact_email = forms.EmailField(label=_("Email (optional)"), required=False, max_length=200)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class ConcernUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ConcernStatus.choices)
    resolution = forms.CharField(
        label=_("Actions and resolution"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AssignForm(forms.Form):
    handler = forms.ChoiceField(label=_("Who handles it"))

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.handlers = {str(user.pk): user for user in handlers}
        self.fields["handler"].choices = [
            (pk, user.get_full_name() or user.username) for pk, user in self.handlers.items()
        ]


class ActionForm(forms.Form):
    text = forms.CharField(
        label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )


class InformForm(forms.Form):
    how = forms.ChoiceField(label=_("How they were told"), choices=InformedHow.choices)
