"""What each alarm says: one text per kind, with parameters, rendered in the reader's language.

An alarm row stores its kind (the code) and the figures (params, JSON); never a sentence. The dashboard,
the admin and the API render it when they show it, each in its own reader's language (docs/alarm-codes.md).
"""

from dataclasses import dataclass
from typing import Any

from django.utils import formats
from django.utils.translation import gettext, gettext_noop

from .choices import AlarmKind


@dataclass(frozen=True)
class AlarmText:
    """An English msgid with %(name)s parameters; `translated` names parameters that are msgids themselves;
    `earlier`: the text of an alarm raised before the template gained a parameter (its row lacks it)."""

    template: str
    translated: tuple[str, ...] = ()
    earlier: str | None = None


TEXTS: dict[str, AlarmText] = {
    AlarmKind.RETENTION_SHORTFALL: AlarmText(
        gettext_noop(
            "%(camera)s holds %(held_days)s days of footage, not its %(retention_days)s: "
            "storage ran out and the oldest footage was deleted."
        )
    ),
    AlarmKind.STORAGE_PROJECTION: AlarmText(
        gettext_noop(
            "At the current rates the storage holds %(days)s days, less than the %(retention_days)s days "
            "the cameras must keep (%(cameras)s cameras fall short)."
        )
    ),
    AlarmKind.STORAGE_FULL: AlarmText(
        gettext_noop(
            "The storage of capture node %(node)s is full (%(free_mib)s MiB free, watermark %(watermark_mib)s "
            "MiB) and only held footage is left: nothing more can be deleted. Add storage or release holds."
        ),
        earlier=gettext_noop(
            "Storage is full (%(free_mib)s MiB free, watermark %(watermark_mib)s MiB) and only held footage is "
            "left: nothing more can be deleted. Add storage or release holds."
        ),
    ),
    AlarmKind.SEGMENT_MISSING: AlarmText(
        gettext_noop("%(total)s indexed segment file(s) are missing from disk, newly: %(names)s")
    ),
    AlarmKind.FILE_QUARANTINED: AlarmText(gettext_noop("%(path)s was quarantined (%(reason)s)"), ("reason",)),
    AlarmKind.INTEGRITY: AlarmText(
        gettext_noop("Segment %(path)s no longer matches its SHA-256: the file was altered.")
    ),
    AlarmKind.STREAM_CLOCK: AlarmText(
        gettext_noop(
            "The camera's stream timestamps do not keep time (they run fast or slow, or jump); "
            "the recorder corrects the times of its footage. Check the camera's encoder and clock."
        )
    ),
    AlarmKind.UNKNOWN_FILES: AlarmText(
        gettext_noop("%(count)s file(s) of no known camera were quarantined, from: %(folders)s")
    ),
}


def _value(value: Any, translate: bool) -> Any:
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1, use_l10n=True)  # 0,1 in lt and lv, 0.1 in en
    if translate and isinstance(value, str):
        return gettext(value)
    return value


def render(kind: str, params: dict[str, Any] | None) -> str:
    """The alarm's text in the active language. Without its figures (a row migrated from a text that could
    not be read back, a kind from a newer release) it says what kind of alarm it is."""
    label = str(AlarmKind(kind).label) if kind in AlarmKind.values else kind
    text = TEXTS.get(kind)
    if text is None:
        return label
    values = {name: _value(value, name in text.translated) for name, value in (params or {}).items()}
    for template in (text.template, text.earlier):
        if template is None:
            continue
        try:
            return gettext(template) % values
        except (KeyError, TypeError, ValueError):
            continue
    return label
