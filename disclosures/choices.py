"""Kinds, states, legal bases and custody events of footage requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    POLICE = "police", _("Police request")
    DATA_SUBJECT = "data_subject", _("Data subject access (GDPR Art. 15)")
    INTERNAL = "internal", _("Internal incident")


class RequestState(models.TextChoices):
    WAITING = "waiting", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LegalBasis(models.TextChoices):
    PRE_TRIAL = "pre_trial", _("Pre-trial investigation (Code of Criminal Procedure)")
    ADMINISTRATIVE = "administrative", _("Administrative offence case (Code of Administrative Offences)")
    POLICE_ACT = "police_act", _("Law on Police Activities")
    COURT_ORDER = "court_order", _("Court order")
    GDPR_ART_15 = "gdpr_art_15", _("GDPR Article 15 (data subject access)")
    OTHER = "other", _("Other (explain below)")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve all")
    APPROVE_PART = "approve_part", _("Approve part")
    REJECT = "reject", _("Reject")


class CustodyKind(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    HELD = "held", _("Footage held")
    REVIEWED = "reviewed", _("Reviewed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPORTED = "exported", _("Package exported")
    EXPORT_FAILED = "export_failed", _("Export failed")
    DOWNLOADED = "downloaded", _("Downloaded")
    HOLD_EXTENDED = "hold_extended", _("Hold extended")
    HOLD_RELEASED = "hold_released", _("Hold released")
