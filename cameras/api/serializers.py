"""Serializers of the camera API; credentials are never part of them."""

from rest_framework import serializers

from cameras.choices import CameraState
from cameras.models import Camera, CameraStatus, redact_rtsp_url


class CameraStatusSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField(help_text="Why, in the request's language.")
    reason_code = serializers.SerializerMethodField(help_text="Why, as a code of cameras/reasons.py.")
    stale_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the recorder's last report stops holding (its last heartbeat plus STATUS_STALE_SECONDS); "
        "after it, without a newer report, no recorder is reporting for the camera.",
    )

    class Meta:
        model = CameraStatus
        fields = [*CameraStatus.REPORTED_FIELDS, "reason_code", "stale_at"]

    def get_state(self, status: CameraStatus) -> CameraState:
        return status.effective_state()[0]

    def get_reason(self, status: CameraStatus) -> str:
        return status.effective_state()[1]

    def get_reason_code(self, status: CameraStatus) -> str:
        return status.effective()[1]


class CameraSerializer(serializers.ModelSerializer):
    status = CameraStatusSerializer(read_only=True, allow_null=True)
    has_credentials = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = [
            "id",
            "name",
            "eldership",
            "place",
            "latitude",
            "longitude",
            "rtsp_url",
            "has_credentials",
            "enabled",
            "retention_days",
            "purpose",
            "legal_basis",
            "decommissioned_at",
            "status",
        ]

    def get_has_credentials(self, camera: Camera) -> bool:
        return bool(camera.rtsp_username)

    def to_representation(self, camera: Camera) -> dict:
        data = super().to_representation(camera)
        if "rtsp_url" in data:  # a URL stored before credentials in the query were refused
            data["rtsp_url"] = redact_rtsp_url(data["rtsp_url"])
        return data
