"""Serializers of the request API: the same fields and checks as the web form."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from birzai_vms import localtime
from birzai_vms.fields import StrictPrimaryKeyRelatedField
from disclosures import services
from disclosures.choices import Decision, LegalBasis
from disclosures.forms import local_instant
from disclosures.models import CustodyEvent, DisclosureRequest

LOCAL_TIME_HELP = _(
    "Vilnius local time YYYY-MM-DDTHH:MM[:SS], or an exact time with its UTC offset. A local time that "
    "occurs twice (the last Sunday of October) needs its *_fold: 0 summer time (EEST), 1 winter time (EET)."
)


@extend_schema_field(OpenApiTypes.INT)
class FoldField(serializers.Field):
    """Which reading of a wall time that occurs twice: 0 the first (summer time), 1 the second (winter time).
    Exactly 0 or 1 (a JSON number or the ASCII digit), nothing that Python's int() would also read."""

    default_error_messages = {"invalid": _("Use 0 (summer time, EEST) or 1 (winter time, EET).")}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or data not in (0, 1, "0", "1"):
            self.fail("invalid")
        return int(data)

    def to_representation(self, value: int) -> int:
        return value


def fold_field() -> FoldField:
    return FoldField(required=False, allow_null=True)


def _instants(attrs: dict, names: tuple[str, str], *, required: bool = True) -> dict[str, Any]:
    """Parse the local start and end (with their folds); a ValidationError names each bad field."""
    errors, found = {}, {}
    for name in names:
        value = attrs.get(name)
        if not value and not required:
            found[name] = None
            continue
        try:
            found[name] = local_instant(value, attrs.get(f"{name}_fold"))
        except localtime.LocalTimeError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise serializers.ValidationError(errors)
    return found


class RequestCreateSerializer(serializers.Serializer):
    cameras = StrictPrimaryKeyRelatedField(
        many=True,
        queryset=DisclosureRequest.objects.none(),
        error_messages={"does_not_exist": _("You may not request footage of camera %(pk_value)s.")},
    )
    start = serializers.CharField(help_text=LOCAL_TIME_HELP)
    start_fold = fold_field()
    end = serializers.CharField(help_text=LOCAL_TIME_HELP)
    end_fold = fold_field()
    case_number = serializers.CharField(max_length=100)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    legal_basis_text = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        self.fields["cameras"].child_relation.queryset = services.requestable_cameras(user)
        # The relation's own message names the id: "does not exist" for a camera one may not ask for.
        self.fields["cameras"].child_relation.error_messages["does_not_exist"] = _(
            "You may not request footage of camera %(pk_value)s."
        )

    def validate(self, attrs: dict) -> dict:
        if not attrs["cameras"]:
            raise serializers.ValidationError({"cameras": [_("Choose at least one camera.")]})
        found = _instants(attrs, ("start", "end"))
        errors = services.range_errors(found["start"], found["end"])
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        if attrs["legal_basis"] == LegalBasis.OTHER and not attrs["legal_basis_text"].strip():
            raise serializers.ValidationError({"legal_basis_text": [_("Explain the legal basis.")]})
        missing = services.footage_errors(list(attrs["cameras"]), found["start"], found["end"])
        if missing:
            raise serializers.ValidationError({"cameras": missing})
        attrs["start_utc"], attrs["end_utc"] = found["start"], found["end"]
        return attrs


class CoverageQuerySerializer(serializers.Serializer):
    cameras = serializers.CharField(help_text=_("Camera ids (the camera parameter, repeated)."))
    start = serializers.CharField(help_text=LOCAL_TIME_HELP)
    start_fold = fold_field()
    end = serializers.CharField(help_text=LOCAL_TIME_HELP)
    end_fold = fold_field()

    def validate(self, attrs: dict) -> dict:
        user = getattr(self.context.get("request"), "user", None)
        ids = [part.strip() for part in attrs["cameras"].split(",") if part.strip()]
        if not ids or not all(part.isascii() and part.isdigit() and len(part) < 10 for part in ids):
            raise serializers.ValidationError({"camera": [_("Give one or more camera ids.")]})
        cameras = list(services.requestable_cameras(user).filter(pk__in=ids))
        if len(cameras) != len(set(ids)):
            raise serializers.ValidationError({"camera": [_("You may not request footage of some of these cameras.")]})
        found = _instants(attrs, ("start", "end"))
        if found["end"] <= found["start"] or found["end"] - found["start"] > services.longest_range():
            raise serializers.ValidationError({"end": [_("The end must be after the start, within the length limit.")]})
        return {"cameras": cameras, "start": found["start"], "end": found["end"]}


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField()
    cameras = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    start = serializers.CharField(required=False, help_text=LOCAL_TIME_HELP)
    start_fold = fold_field()
    end = serializers.CharField(required=False, help_text=LOCAL_TIME_HELP)
    end_fold = fold_field()

    def validate(self, attrs: dict) -> dict:
        found = _instants(attrs, ("start", "end"), required=False)
        attrs["start_utc"], attrs["end_utc"] = found["start"], found["end"]
        return attrs


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CustodySerializer(serializers.ModelSerializer):
    user = serializers.StringRelatedField()

    class Meta:
        model = CustodyEvent
        fields = ["event", "at", "user", "ip", "detail"]


class RequestSerializer(serializers.ModelSerializer):
    requester = serializers.StringRelatedField()
    reviewed_by = serializers.StringRelatedField()
    custody = CustodySerializer(many=True, read_only=True)
    export = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureRequest
        fields = [
            "id", "kind", "state", "requester", "subject_name", "cameras", "start", "end", "case_number",
            "legal_basis", "legal_basis_text", "reason", "submitted_at", "hold", "reviewed_by", "reviewed_at",
            "review_reason", "approved_cameras", "approved_start", "approved_end", "export",
            "download_expires_at", "download_url", "custody",
        ]  # fmt: skip
        read_only_fields = fields

    def get_export(self, obj: DisclosureRequest) -> dict | None:
        export = obj.export
        if export is None:
            return None
        return {"id": export.pk, "state": export.state, "progress": export.progress, "error": export.error}

    def get_download_url(self, obj: DisclosureRequest) -> str | None:
        user = getattr(self.context.get("request"), "user", None)
        if user is None or obj.requester_id != user.pk or not services.downloadable(obj):
            return None
        return reverse("disclosurerequest-download", args=[obj.pk])
