"""Serializers of the retention API: holds, deleted ranges, timeline, storage projection."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from birzai_vms.fields import InstantSerializerField, StrictPrimaryKeyRelatedField
from cameras.models import Camera
from retention.models import DeletedRange, Hold


class HoldSerializer(serializers.ModelSerializer):
    cameras = StrictPrimaryKeyRelatedField(many=True, queryset=Camera.objects.all())
    start = InstantSerializerField()
    end = InstantSerializerField()
    created_by = serializers.StringRelatedField()
    released_by = serializers.StringRelatedField()
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Hold
        fields = [
            "id",
            "cameras",
            "start",
            "end",
            "reason",
            "created_by",
            "created_at",
            "is_active",
            "released_at",
            "released_by",
            "release_reason",
        ]
        read_only_fields = ["created_at", "released_at", "release_reason"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only cameras the user may see can be held; others read as "does not exist".
        self.fields["cameras"].child_relation.queryset = Camera.objects.visible_to(getattr(request, "user", None))

    def validate(self, attrs: dict) -> dict:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": _("The end of a hold must be after its start.")})
        if not attrs["cameras"]:
            raise serializers.ValidationError({"cameras": _("A hold must cover at least one camera.")})
        if not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": _("A hold needs a reason.")})
        return attrs


class ReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        help_text=_("Why the footage no longer needs to be kept."),
        error_messages={
            "required": _("Releasing a hold needs a reason."),
            "blank": _("Releasing a hold needs a reason."),
        },
    )


class DeletedRangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeletedRange
        fields = ["id", "camera", "start", "end", "segment_count", "bytes", "reason", "deleted_at"]


class SpanSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    segments = serializers.IntegerField()
    bytes = serializers.IntegerField()


class TimelineGapSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    cause = serializers.CharField()
    detail = serializers.CharField()


class TimelineDeletedSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField()
    deleted_at = serializers.DateTimeField()
    segment_count = serializers.IntegerField()


class TimelineMissingSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    path = serializers.CharField()


class TimelineHoldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField()


class TimelineSerializer(serializers.Serializer):
    """Recorded spans, gaps with cause, deleted ranges with reason and date, missing files, holds.
    Time covered by none of these was never recorded."""

    recorded = SpanSerializer(many=True)
    gaps = TimelineGapSerializer(many=True)
    deleted = TimelineDeletedSerializer(many=True)
    missing = TimelineMissingSerializer(many=True)
    holds = TimelineHoldSerializer(many=True)


class ProjectionSerializer(serializers.Serializer):
    camera_id = serializers.IntegerField()
    name = serializers.CharField()
    retention_days = serializers.IntegerField()
    bytes_per_day = serializers.IntegerField()
    bitrate_kbps = serializers.FloatField(allow_null=True)
    stored_bytes = serializers.IntegerField()
    projected_days = serializers.FloatField(allow_null=True)
    below_retention = serializers.BooleanField()
