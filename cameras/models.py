"""A camera's configuration and its live recording status."""

from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import CameraState
from .fields import EncryptedTextField
from .querysets import CameraQuerySet
from .reasons import reason_text

# Query parameters some cameras take credentials in (rtsp://cam/stream?user=admin&password=...). Such a URL
# would keep the password in clear in the database, the API, the audit log and operators' screens.
CREDENTIAL_QUERY_KEYS = frozenset(
    {"password", "passwd", "pass", "pwd", "user", "username", "usr", "login", "token", "auth", "secret"}
)


def credential_query_keys(url: str) -> list[str]:
    """The query parameters of the URL that carry credentials (their names as written)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return []
    return [k for k, _v in parse_qsl(query, keep_blank_values=True) if k.lower() in CREDENTIAL_QUERY_KEYS]


def redact_rtsp_url(url: str) -> str:
    """The URL with the values of credential query parameters replaced by ***, for showing a URL stored
    before such URLs were refused."""
    if not credential_query_keys(url):
        return url
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, "***" if k.lower() in CREDENTIAL_QUERY_KEYS else v) for k, v in pairs]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="*"), parts.fragment))


def validate_rtsp_url(value: str) -> None:
    """Accept rtsp:// and rtsps:// URLs with a host and without credentials in them."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(_("This is not a valid URL: %(reason)s."), params={"reason": exc}) from exc
    if parts.scheme not in {"rtsp", "rtsps"}:
        raise ValidationError(
            _("The URL must start with rtsp:// or rtsps://, for example rtsp://10.0.0.5:554/stream1.")
        )
    if not parts.hostname:
        raise ValidationError(_("The URL has no camera address (host)."))
    if parts.username or parts.password:
        raise ValidationError(
            _("Do not put the user name or password in the URL; use the credential fields, which are encrypted.")
        )
    if keys := credential_query_keys(value):
        raise ValidationError(
            _(
                "Do not put a user name or password in the URL's query (%(names)s); remove it and use the "
                "credential fields, which are encrypted."
            ),
            params={"names": ", ".join(dict.fromkeys(keys))},
        )
    if port == 0:
        raise ValidationError(_("The port must be between 1 and 65535."))
    if any(ch.isspace() for ch in value):
        raise ValidationError(_("The URL must not contain spaces."))


def default_retention_days() -> int:
    return settings.DEFAULT_RETENTION_DAYS


class Camera(models.Model):
    """An IP camera that the system records continuously."""

    eldership = models.ForeignKey(
        "eldership.Eldership", on_delete=models.PROTECT, related_name="cameras", verbose_name=_("eldership")
    )
    name = models.CharField(_("name"), max_length=120, unique=True)
    place = models.CharField(_("place description"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    rtsp_url = models.CharField(
        _("RTSP URL"),
        max_length=500,
        validators=[validate_rtsp_url],
        help_text=_("For example rtsp://10.0.0.5:554/stream1, without user name or password."),
    )
    rtsp_username = EncryptedTextField(_("RTSP user name"), blank=True, default="")
    rtsp_password = EncryptedTextField(_("RTSP password"), blank=True, default="")
    enabled = models.BooleanField(_("enabled"), default=True)
    retention_days = models.PositiveSmallIntegerField(
        _("retention (days)"),
        default=default_retention_days,
        validators=[
            MinValueValidator(settings.MIN_RETENTION_DAYS, _("The contract requires at least %(limit_value)s days."))
        ],
    )
    purpose = models.CharField(_("purpose"), max_length=255, default=_("Public order and safety in public places"))
    legal_basis = models.CharField(
        _("legal basis"), max_length=255, default=_("GDPR Art. 6(1)(e): a task carried out in the public interest")
    )
    # A camera taken out of service is decommissioned, not deleted: its footage and the records that
    # account for it (gaps, digests, deletions, holds) stay and play until retention removes them.
    decommissioned_at = models.DateTimeField(_("decommissioned"), null=True, blank=True, editable=False)
    decommission_reason = models.TextField(_("reason for decommissioning"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CameraQuerySet.as_manager()
    # What the audit log shows of a field instead of its value (it knows no app's fields itself).
    audit_redactions = {"rtsp_url": redact_rtsp_url}

    class Meta:
        ordering = ["eldership__name", "name"]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        # Asking for a camera's footage through a request (Police), without seeing the camera otherwise.
        permissions = [
            ("request_camera", _("Can request footage of a camera")),
            ("export_camera", _("Can export clips of a camera's footage")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_days__gte=settings.MIN_RETENTION_DAYS), name="camera_retention_min_30_days"
            ),
            # Every part of the recorder that looks at `enabled` alone stops a decommissioned camera too.
            models.CheckConstraint(
                condition=models.Q(decommissioned_at__isnull=True) | models.Q(enabled=False),
                name="camera_decommissioned_not_enabled",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_decommissioned(self) -> bool:
        return self.decommissioned_at is not None

    def clean(self) -> None:
        super().clean()
        if self.decommissioned_at is not None and self.enabled:
            raise ValidationError(
                {"enabled": _("A decommissioned camera is not recorded again; add a new camera instead.")}
            )

    def connection_url(self) -> str:
        """The URL with credentials, for the recorder only: never log or show it."""
        if not self.rtsp_username:
            return self.rtsp_url
        parts = urlsplit(self.rtsp_url)
        userinfo = quote(self.rtsp_username, safe="") + ":" + quote(self.rtsp_password, safe="")
        netloc = f"{userinfo}@{parts.netloc}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def secrets(self) -> list[str]:
        """Values that must never appear in logs or messages."""
        return [s for s in (self.rtsp_password, quote(self.rtsp_password, safe="")) if s]


class CameraStatus(models.Model):
    """What the camera's recorder last reported; written by the recorder, read by API and dashboard."""

    camera = models.OneToOneField(Camera, on_delete=models.CASCADE, primary_key=True, related_name="status")
    state = models.CharField(_("state"), max_length=20, choices=CameraState.choices, default=CameraState.OFFLINE)
    # A code of cameras/reasons.py, rendered in each reader's language (texts stored before codes are
    # translated through gettext).
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    since = models.DateTimeField(_("since"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("last report"), null=True, blank=True)
    recorder = models.CharField(_("recorder"), max_length=120, blank=True)
    last_segment_end = models.DateTimeField(_("last segment end"), null=True, blank=True)
    bitrate_kbps = models.FloatField(_("bitrate (kbit/s)"), null=True, blank=True)
    codec = models.CharField(_("codec"), max_length=20, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    fps = models.FloatField(_("frame rate"), null=True, blank=True)
    clock_offset_s = models.FloatField(
        _("camera clock offset (s)"),
        null=True,
        blank=True,
        help_text=_("How far the camera's own clock is ahead (+) or behind (−) this server's clock."),
    )
    camera_clock_unset = models.BooleanField(
        _("camera clock not set"), default=False, help_text=_("The camera's own clock says it is before 2000.")
    )
    clock_source = models.CharField(
        _("time source"),
        max_length=10,
        blank=True,
        help_text=_("rtcp: the camera's sender reports agree with this server's clock; arrival: arrival times."),
    )
    clock_rate = models.FloatField(
        _("stream clock rate"),
        null=True,
        blank=True,
        help_text=_("Seconds of the camera's timestamps per real second, when they do not keep time."),
    )
    clock_steps = models.PositiveIntegerField(
        _("clock steps"),
        default=0,
        help_text=_("Times the camera's timing was re-anchored since the recorder started."),
    )
    audio_dropped = models.BooleanField(
        _("audio not recorded"),
        default=False,
        help_text=_("The camera sends sound; it is not recorded (sound in public places is not lawful to record)."),
    )

    # What the recorder reports about a camera, as the admin and the API show it.
    REPORTED_FIELDS = [
        "state",
        "reason",
        "since",
        "heartbeat_at",
        "last_segment_end",
        "bitrate_kbps",
        "codec",
        "width",
        "height",
        "fps",
        "clock_offset_s",
        "camera_clock_unset",
        "clock_source",
        "clock_rate",
        "clock_steps",
        "audio_dropped",
    ]

    class Meta:
        verbose_name = _("camera status")
        verbose_name_plural = _("camera statuses")

    def __str__(self) -> str:
        return f"{self.camera_id}: {self.state}"

    def clock_is_unreliable(self) -> bool:
        """The camera's timestamps do not keep time: they run fast or slow, or keep needing re-anchoring."""
        rate_off = self.clock_rate is not None and abs(self.clock_rate - 1.0) > settings.CLOCK_RATE_ALARM_TOLERANCE
        return rate_off or self.clock_steps >= settings.CLOCK_STEPS_ALARM

    # Whether a recorder is alive is decided here and only here: the API, the admin, the status events
    # and (through `stale_at` in the events) the dashboard's tiles all use these three methods.
    def stale_at(self) -> datetime | None:
        """The instant the recorder's report stops holding unless it reports again: STATUS_STALE_SECONDS
        after its last heartbeat. None when there is no report to expire (none yet: stale already)."""
        if self.heartbeat_at is None:
            return None
        return self.heartbeat_at + timedelta(seconds=settings.STATUS_STALE_SECONDS)

    def is_stale(self, now: datetime | None = None) -> bool:
        """No recorder is reporting for this enabled camera (a camera not recorded never goes stale)."""
        if not self.camera.enabled:
            return False
        stale_at = self.stale_at()
        return stale_at is None or (now or timezone.now()) > stale_at

    def effective(self, now: datetime | None = None) -> tuple[str, str]:
        """State and reason code (cameras/reasons.py) as a person should read them: a silent recorder is
        not 'recording'."""
        if self.camera.decommissioned_at is not None:
            return CameraState.DISABLED, "decommissioned"
        if not self.camera.enabled:
            return CameraState.DISABLED, ""
        if self.is_stale(now):
            return CameraState.OFFLINE, "no_recorder"
        return self.state, self.reason

    def effective_state(self, now: datetime | None = None) -> tuple[str, str]:
        """State and reason, the reason rendered in the active language."""
        state, code = self.effective(now)
        return state, reason_text(code)
