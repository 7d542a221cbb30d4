"""Serializers of the alarm API."""

from rest_framework import serializers

from alarms.models import Alarm


class AlarmSerializer(serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Alarm
        fields = ["id", "kind", "camera", "severity", "message", "started_at", "updated_at", "ended_at", "is_open"]
