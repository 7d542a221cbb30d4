"""Serializers of the eldership API."""

from rest_framework import serializers

from eldership.models import Eldership


class EldershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Eldership
        fields = ["id", "name", "code", "centre_latitude", "centre_longitude"]
