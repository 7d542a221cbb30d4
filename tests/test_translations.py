"""Every message of the project is translated into Lithuanian and Latvian, and the compiled catalogs
(committed, so that no gettext tools are needed to run) are up to date with their sources."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
# A msgid and its continuation lines, up to the line that starts its msgstr.
MSGID = re.compile(r'^msgid ((?:".*"\n)+)(?:msgid_plural .*\n(?:".*"\n)*)?msgstr', re.MULTILINE)
ESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\t": "\t"}


def source_messages(language: str) -> set[str]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = set()
    for match in MSGID.finditer(text):
        parts = re.findall(r'^"(.*)"$', match.group(1), re.MULTILINE)
        found.add(re.sub(r'\\[\\"nt]', lambda e: ESCAPES[e.group()], "".join(parts)))
    found.discard("")  # the header
    return found


def compiled_messages(language: str) -> dict:
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    # Plural entries are keyed (msgid, n).
    return {key[0] if isinstance(key, tuple) else key: value for key, value in catalog.items() if key}


def test_the_english_source_defines_the_messages():
    assert len(source_messages("en")) > 300


@pytest.mark.parametrize("language", ["lt", "lv"])
def test_every_message_is_translated_and_compiled(language):
    wanted = source_messages("en")
    assert source_messages(language) == wanted, "run makemessages for every language"
    compiled = compiled_messages(language)
    missing = sorted(m for m in wanted if not compiled.get(m))
    assert not missing, f"{language}: untranslated or not compiled: {missing[:10]}"
