"""Serializers of the recording index API."""

from rest_framework import serializers

from recordings.models import Gap, Segment


class SegmentSerializer(serializers.ModelSerializer):
    duration_s = serializers.SerializerMethodField()

    class Meta:
        model = Segment
        fields = ["id", "camera", "start", "end", "duration_s", "bytes", "sha256", "codec", "width", "height"]

    def get_duration_s(self, segment: Segment) -> float:
        return segment.duration.total_seconds()


class GapSerializer(serializers.ModelSerializer):
    class Meta:
        model = Gap
        fields = ["id", "camera", "start", "end", "cause", "detail"]
