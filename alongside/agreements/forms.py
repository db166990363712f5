from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.agreements.models import AgreementKind


class AgreementRecordForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Agreement"), queryset=AgreementKind.objects.none())
    signed_on = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds
        self.fields["signed_on"].initial = timezone.localdate()
