"""The kinds of audited actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Account locked out")
    LOGOUT = "logout", _("Logout")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor device enrolled")
    LIVE_VIEW = "live_view", _("Live view")
    PLAYBACK = "playback", _("Playback")
    CLIP_DOWNLOAD = "clip_download", _("Clip download")
    EXPORT_CREATED = "export_created", _("Export created")
    EXPORT_DOWNLOAD = "export_download", _("Export download")
    HOLD_CREATED = "hold_created", _("Hold placed")
    HOLD_RELEASED = "hold_released", _("Hold released")
    RETENTION_DELETION = "retention_deletion", _("Retention deletion")
    CONFIG_CREATED = "config_created", _("Configuration added")
    CONFIG_CHANGED = "config_changed", _("Configuration changed")
    CONFIG_DELETED = "config_deleted", _("Configuration deleted")
    CAMERA_DECOMMISSIONED = "camera_decommissioned", _("Camera decommissioned")
    ROLE_CHANGED = "role_changed", _("Role changed")
    REQUEST_SUBMITTED = "request_submitted", _("Request submitted")
    REQUEST_DECIDED = "request_decided", _("Request decided")
    AUDIT_EXPORT = "audit_export", _("Audit log exported")
    API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
    INCIDENT_ACKNOWLEDGED = "incident_acknowledged", _("Incident acknowledged")
