"""Times and ids taken from requests: the bounds and strict fields every view, form, filter and serializer uses.

Python's datetime ends at years 1 and 9999: an instant there moved by a time zone offset or a day raises
OverflowError (a 500), so times outside BOUNDS are refused before anything computes with them. Digits
other than ASCII 0-9 (superscripts pass `str.isdigit`, Arabic-Indic digits pass `int` and Django's
date parsing) are refused too: an id or a time is typed or generated in ASCII, anything else is garbage.
"""

import re
from datetime import UTC, date, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField
from django_filters.fields import ModelChoiceField as FilterModelChoiceField
from rest_framework import serializers

# Footage is recorded now and kept for months; these bounds leave centuries on both sides of any real
# time while keeping every computation on them (offsets, day navigation) far from datetime's limits.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)

_ID = re.compile(r"[0-9]{1,18}")
_ASCII_TIME = re.compile(r"[0-9A-Za-z:.+\- ]*")


def out_of_range_message() -> str:
    return _("Times must lie between %(first)s and %(last)s.") % {
        "first": EARLIEST_DAY.isoformat(),
        "last": LATEST_DAY.isoformat(),
    }


def is_id(value: object) -> bool:
    """A positive whole number written in ASCII digits (what `str.isdigit` is not)."""
    return isinstance(value, str) and bool(_ID.fullmatch(value)) and int(value) > 0


def parse_id_list(value: str) -> list[int]:
    """`1,2,3` (empty parts ignored) in the given order without repeats; ValueError with a message."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not all(is_id(part) for part in parts):
        raise ValueError(_("Camera numbers must be whole numbers."))
    return list(dict.fromkeys(int(part) for part in parts))


def within_bounds(instant: datetime) -> bool:
    return EARLIEST <= instant <= LATEST


def day_within_bounds(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


class InstantFormMixin:
    """For a form DateTimeField: ASCII only, no OverflowError, and only instants within the bounds."""

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str) and not _ASCII_TIME.fullmatch(value):
            raise ValidationError(_("Enter a date and time in ASCII digits (YYYY-MM-DDTHH:MM)."), code="invalid")
        try:
            parsed = super().to_python(value)
            # Django converts to and from the current time zone: the step that overflows at the edges.
            if parsed is not None and parsed.tzinfo is not None and not within_bounds(parsed):
                raise ValidationError(out_of_range_message(), code="invalid")
        except OverflowError as exc:
            raise ValidationError(out_of_range_message(), code="invalid") from exc
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
        if value not in self.empty_values and not is_id(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class StrictModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = StrictModelChoiceField


class IdFormField(forms.IntegerField):
    """A number query parameter that names an object: ASCII digits, within a database integer."""

    def to_python(self, value: Any) -> int | None:
        if value not in self.empty_values and not is_id(str(value).strip()):
            raise ValidationError(_("Enter a whole number."), code="invalid")
        return super().to_python(value)


class IdFilter(django_filters.NumberFilter):
    field_class = IdFormField


class StrictFormModelChoiceField(forms.ModelChoiceField):
    """A form's model choice by id in ASCII digits."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not is_id(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class InstantSerializerField(serializers.DateTimeField):
    """An API body's instant within the bounds."""

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str) and not _ASCII_TIME.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM|-HH:MM|Z]")
        try:
            parsed = super().to_internal_value(value)
            if not within_bounds(parsed):
                raise serializers.ValidationError(out_of_range_message())
        except OverflowError as exc:
            raise serializers.ValidationError(out_of_range_message()) from exc
        return parsed


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id in a body: a JSON number or ASCII digits, never `true` (which Django reads as 1)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not (isinstance(data, int) or is_id(data)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)
