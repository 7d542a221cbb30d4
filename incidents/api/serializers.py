"""Serializers of the incident API."""

from rest_framework import serializers

from incidents.models import Incident
from incidents.services import NOTE_MAX_LENGTH


class IncidentSerializer(serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)
    label = serializers.CharField(source="get_kind_display", read_only=True)
    acknowledged_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "camera",
            "kind",
            "label",
            "started_at",
            "cleared_at",
            "ended_at",
            "is_open",
            "flaps",
            "acknowledged_at",
            "acknowledged_by",
            "note",
            "notifications",
        ]
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, trim_whitespace=True)
