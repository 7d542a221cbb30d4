"""Serializers of the alarm API."""

from rest_framework import serializers

from alarms.models import Alarm


class AlarmSerializer(serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)
    message = serializers.CharField(
        source="text", read_only=True, help_text="The alarm's text in the request's language (from kind and params)."
    )

    class Meta:
        model = Alarm
        fields = [
            "id",
            "kind",
            "camera",
            "severity",
            "params",
            "message",
            "started_at",
            "updated_at",
            "ended_at",
            "is_open",
        ]
