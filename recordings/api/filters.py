"""Filters of the recording index API: one camera, a time range."""

from datetime import datetime

import django_filters
from django.utils.translation import gettext_lazy as _

from birzai_vms.fields import InstantFilter, StrictModelChoiceFilter
from cameras.models import Camera
from recordings.models import Gap, Segment


class TimeRangeFilter(django_filters.FilterSet):
    camera = StrictModelChoiceFilter(queryset=Camera.objects.all(), required=True)
    start = InstantFilter(
        method="filter_noop", help_text=_("Instants at or after this (ISO 8601; without an offset: Vilnius time).")
    )
    end = InstantFilter(method="filter_noop", help_text=_("Instants before this (ISO 8601)."))

    def __init__(self, *args: object, request: object = None, **kwargs: object) -> None:
        super().__init__(*args, request=request, **kwargs)
        # Only cameras the user may see can be named; others read as "not a valid choice".
        self.filters["camera"].queryset = Camera.objects.visible_to(getattr(request, "user", None))

    def filter_noop(self, queryset: object, name: str, value: datetime) -> object:
        return queryset  # applied together in filter_queryset

    def filter_queryset(self, queryset: object) -> object:
        queryset = super().filter_queryset(queryset)
        start, end = self.form.cleaned_data.get("start"), self.form.cleaned_data.get("end")
        return queryset.overlapping(start, end)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = getattr(self.form, "cleaned_data", {})
        if valid and data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.form.add_error("end", _("The end must be after the start."))
            return False
        return valid


class SegmentFilter(TimeRangeFilter):
    class Meta:
        model = Segment
        fields = ["camera"]


class GapFilter(TimeRangeFilter):
    class Meta:
        model = Gap
        fields = ["camera"]
