"""The roles (Django groups) and what each may do; the migration creates them from this table."""

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "Administrator"
OPERATOR = "Operator"
REVIEWER = "Reviewer"
POLICE = "Police"
ROLES = [ADMINISTRATOR, OPERATOR, REVIEWER, POLICE]
ROLE_DESCRIPTIONS = {
    ADMINISTRATOR: _("Configures cameras, users and the system; sees every camera."),
    OPERATOR: _("Watches live status and plays back the cameras of the elderships in their scope."),
    REVIEWER: _("Data protection and authorised staff: reviews requests and the audit log; sees every camera."),
    POLICE: _("Requests footage; sees only what was approved for them."),
}
# Roles that must log in with a second factor (REQUIREMENTS.md, "Strong authentication"); Police too,
# as they take evidence packages out of the system.
TWO_FACTOR_ROLES = {ADMINISTRATOR, REVIEWER, POLICE}

# What each role may do with holds, deleted ranges and alarms (NetBox's idea: the role's Django permissions
# decide the action, `.restrict(user, action)` adds the eldership scope, which decides the objects).
# Everyone who browses cameras may look at holds, deleted ranges and alarms and put footage under a hold
# (an Operator keeping evidence of their eldership); only Reviewers and Administrators release a hold,
# because a release lets the footage expire. Administrators also change holds in the admin (the change
# form is where the release field is) and see alarms there.
_HOLD_VIEW_ADD = ["retention.view_hold", "retention.add_hold", "retention.view_deletedrange", "alarms.view_alarm"]
_HOLD_RELEASE = ["retention.release_hold"]
# Everyone who browses cameras sees the incidents of their cameras and acknowledges them with a note.
_INCIDENTS = ["incidents.view_incident", "incidents.acknowledge_incident"]
# Footage requests (disclosures/): police ask (`cameras.request_camera` is the camera action) and see their
# own; reviewers see and decide all of them; administrators see them and keep the officers' details.
_REQUEST_REVIEW = ["disclosures.view_disclosurerequest", "disclosures.review_disclosurerequest"]
# Staff clips (`cameras.export_camera`, the camera's `export` action): staff may download a short clip of the
# cameras in their scope for internal use (issue 5). Police never: they get footage only by request.
_CLIP_EXPORT = ["cameras.export_camera"]

# "app_label.codename" per role. Other apps add their permissions here (and in a new migration, of any app,
# that runs accounts.role_migrations.apply_role_permissions).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: [
        *(
            f"{app}.{verb}_{model}"
            for app, model in [
                ("eldership", "eldership"),
                ("cameras", "camera"),
                ("auth", "user"),
                ("accounts", "operatorscope"),
                ("accounts", "profile"),
            ]
            for verb in ("add", "change", "delete", "view")
        ),
        "cameras.view_camerastatus",
        "recordings.view_segment",
        "recordings.view_gap",
        "auth.view_group",
        "audit.view_auditentry",
        "audit.export_auditentry",
        *_HOLD_VIEW_ADD,
        *_HOLD_RELEASE,
        "retention.change_hold",
        *_INCIDENTS,
        *_CLIP_EXPORT,
        "disclosures.view_disclosurerequest",
        *(f"disclosures.{verb}_policeprofile" for verb in ("add", "change", "delete", "view")),
    ],
    OPERATOR: [
        "eldership.view_eldership",
        "cameras.view_camera",
        "cameras.view_camerastatus",
        "recordings.view_segment",
        "recordings.view_gap",
        *_HOLD_VIEW_ADD,
        *_INCIDENTS,
        *_CLIP_EXPORT,
    ],
    REVIEWER: [
        "eldership.view_eldership",
        "cameras.view_camera",
        "cameras.view_camerastatus",
        "recordings.view_segment",
        "recordings.view_gap",
        "audit.view_auditentry",
        "audit.export_auditentry",
        *_HOLD_VIEW_ADD,
        *_HOLD_RELEASE,
        *_INCIDENTS,
        *_CLIP_EXPORT,
        *_REQUEST_REVIEW,
    ],
    POLICE: ["cameras.request_camera", "disclosures.add_disclosurerequest", "disclosures.view_disclosurerequest"],
}
