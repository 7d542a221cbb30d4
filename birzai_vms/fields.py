"""Form, filter and serializer fields for times and ids in requests: ASCII digits only, times within
`params` bounds, OverflowError never escaping (a 400 with a message instead of a 500)."""

from datetime import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField
from django_filters.fields import ModelChoiceField as FilterModelChoiceField
from rest_framework import serializers

from birzai_vms import params


class InstantFormMixin:
    """For a form DateTimeField: ASCII only, no OverflowError, and only instants within the bounds."""

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str) and not params.ASCII_TIME.fullmatch(value):
            raise ValidationError(_("Enter a date and time in ASCII digits (YYYY-MM-DDTHH:MM)."), code="invalid")
        try:
            parsed = super().to_python(value)
            # Django converts to and from the current time zone: the step that overflows at the edges.
            if parsed is not None and parsed.tzinfo is not None and not params.within_bounds(parsed):
                raise ValidationError(params.out_of_range_message(), code="invalid")
        except OverflowError as exc:
            raise ValidationError(params.out_of_range_message(), code="invalid") from exc
        return parsed


class InstantFormField(InstantFormMixin, forms.DateTimeField):
    """A form's date and time (naive values are Vilnius time), within the bounds."""


class InstantFilterField(InstantFormMixin, IsoDateTimeField):
    pass


class InstantFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 instant query parameter within the bounds."""

    field_class = InstantFilterField


class StrictModelChoiceField(FilterModelChoiceField):
    """A model chosen by its id, written in ASCII digits."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not params.is_id(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class StrictModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = StrictModelChoiceField


class IdFormField(forms.IntegerField):
    """A number query parameter that names an object: ASCII digits, within a database integer."""

    def to_python(self, value: Any) -> int | None:
        if value not in self.empty_values and not params.is_id(str(value).strip()):
            raise ValidationError(_("Enter a whole number."), code="invalid")
        return super().to_python(value)


class IdFilter(django_filters.NumberFilter):
    field_class = IdFormField


class StrictFormModelChoiceField(forms.ModelChoiceField):
    """A form's model choice by id in ASCII digits."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not params.is_id(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class InstantSerializerField(serializers.DateTimeField):
    """An API body's instant within the bounds."""

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str) and not params.ASCII_TIME.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM|-HH:MM|Z]")
        try:
            parsed = super().to_internal_value(value)
            if not params.within_bounds(parsed):
                raise serializers.ValidationError(params.out_of_range_message())
        except OverflowError as exc:
            raise serializers.ValidationError(params.out_of_range_message()) from exc
        return parsed


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id in a body: a JSON number or ASCII digits, never `true` (which Django reads as 1)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not (isinstance(data, int) or params.is_id(data)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)
