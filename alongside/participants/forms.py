from django import forms
from django.utils.translation import gettext_lazy as _


class PortalInviteForm(forms.Form):
    username = forms.CharField(label=_("Username for the participant"), max_length=150)
    password = forms.CharField(
        label=_("First password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Give it to them in person; they can change it."),
    )
    password_again = forms.CharField(
        label=_("First password, again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
