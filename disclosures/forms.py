"""The request form, the review form and the small forms of the request page."""

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from birzai_vms import localtime

from . import services
from .choices import Decision, LegalBasis

# The two readings of a wall time that occurs twice (the last Sunday of October, 03:00–04:00).
FOLD_CHOICES = [
    ("", gettext_lazy("— (only needed when the time occurs twice)")),
    ("0", gettext_lazy("Summer time (EEST, UTC+3), the first 03:00–04:00")),
    ("1", gettext_lazy("Winter time (EET, UTC+2), the second 03:00–04:00")),
]


def local_instant(value: str | None, fold: int | None = None) -> datetime:
    """A Vilnius wall time `YYYY-MM-DDTHH:MM[:SS]` (or an exact time with its offset) as a UTC instant.
    LocalTimeError (localtime.Ambiguous for a time that occurs twice without `fold`) with the message."""
    value = (value or "").strip()
    if not value:
        raise localtime.LocalTimeError(_("Enter a date and time."))
    day, sep, at = value.replace(" ", "T", 1).partition("T")
    if sep and (at.endswith("Z") or "+" in at or "-" in at):
        return localtime.parse_instant(value)
    return localtime.to_utc(localtime.parse_date(day), localtime.parse_time(at or None), fold=fold)


class CameraChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.eldership})"


class RequestForm(forms.Form):
    """A police request: cameras, a local time range, case number, legal basis and reason."""

    cameras = CameraChoiceField(
        queryset=None,
        label=gettext_lazy("Cameras"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("You may not request footage of this camera.")},
    )
    start = forms.CharField(
        label=gettext_lazy("Start (Vilnius time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}),
    )
    start_fold = forms.ChoiceField(
        label=gettext_lazy("Start, if it occurs twice"), choices=FOLD_CHOICES, required=False
    )
    end = forms.CharField(
        label=gettext_lazy("End (Vilnius time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}),
    )
    end_fold = forms.ChoiceField(label=gettext_lazy("End, if it occurs twice"), choices=FOLD_CHOICES, required=False)
    case_number = forms.CharField(label=gettext_lazy("Case or pre-trial investigation number"), max_length=100)
    legal_basis = forms.ChoiceField(label=gettext_lazy("Legal basis"), choices=LegalBasis.choices)
    legal_basis_text = forms.CharField(
        label=gettext_lazy("Legal basis, details"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cameras"].queryset = services.requestable_cameras(user).order_by("eldership__name", "name")

    def _instant(self, name: str) -> datetime | None:
        fold = self.cleaned_data.get(f"{name}_fold")
        try:
            return local_instant(self.cleaned_data.get(name), int(fold) if fold else None)
        except localtime.LocalTimeError as exc:
            self.add_error(name, str(exc))
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = self._instant("start"), self._instant("end")
        if start is None or end is None:
            return data
        data["start_utc"], data["end_utc"] = start, end
        errors = services.range_errors(start, end)
        for field, message in errors.items():
            self.add_error(field, message)
        if data.get("legal_basis") == LegalBasis.OTHER and not (data.get("legal_basis_text") or "").strip():
            self.add_error("legal_basis_text", _("Explain the legal basis."))
        cameras = data.get("cameras")
        if not errors and cameras:
            for message in services.footage_errors(list(cameras), start, end):
                self.add_error("cameras", message)
        return data


class ReviewForm(forms.Form):
    """Approve all, approve part (fewer cameras, a narrower range) or reject, with a reason."""

    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    cameras = forms.ModelMultipleChoiceField(
        queryset=None, label=gettext_lazy("Approved cameras"), widget=forms.CheckboxSelectMultiple, required=False
    )
    start = forms.CharField(
        label=gettext_lazy("Approved start (Vilnius time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}),
    )
    start_fold = forms.ChoiceField(
        label=gettext_lazy("Start, if it occurs twice"), choices=FOLD_CHOICES, required=False
    )
    end = forms.CharField(
        label=gettext_lazy("Approved end (Vilnius time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}),
    )
    end_fold = forms.ChoiceField(label=gettext_lazy("End, if it occurs twice"), choices=FOLD_CHOICES, required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cameras"].queryset = request.cameras.order_by("name")
        self.initial.setdefault("cameras", list(request.cameras.values_list("pk", flat=True)))
        self.initial.setdefault("start", f"{request.local_start:%Y-%m-%dT%H:%M:%S}")
        self.initial.setdefault("end", f"{request.local_end:%Y-%m-%dT%H:%M:%S}")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") != Decision.APPROVE_PART:
            return data
        for name in ("start", "end"):
            fold = data.get(f"{name}_fold")
            if not data.get(name):
                data[f"{name}_utc"] = None
                continue
            try:
                data[f"{name}_utc"] = local_instant(data[name], int(fold) if fold else None)
            except localtime.LocalTimeError as exc:
                self.add_error(name, str(exc))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtendHoldForm(forms.Form):
    until = forms.CharField(
        label=gettext_lazy("Keep the footage held until (Vilnius time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_until(self) -> datetime:
        try:
            return local_instant(self.cleaned_data["until"], 1)
        except localtime.LocalTimeError as exc:
            raise ValidationError(str(exc)) from exc
