"""Alarm texts are a kind plus figures, rendered in the reader's language; old sentences migrate to figures."""

import importlib

import pytest
from django.utils import translation

from alarms.texts import render

migration = importlib.import_module("alarms.migrations.0004_alarm_codes")

PROJECTION = {"days": 0.1, "retention_days": 30, "cameras": 36}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "At the current rates the storage holds 0.1 days, less than the 30 days the cameras must keep "
            "(36 cameras fall short).",
        ),
        (
            "lt",
            "Dabartiniu tempu saugyklos užteks 0,1 d., mažiau nei 30 d., kurias kameros privalo saugoti įrašus "
            "(trūksta 36 kameroms).",
        ),
        (
            "lv",
            "Ar pašreizējo apjomu krātuvei pietiks 0,1 dienām, mazāk nekā 30 dienas, kuras kamerām jāglabā "
            "ieraksti (nepietiek 36 kamerām).",
        ),
    ],
)
def test_the_storage_projection_reads_in_each_language_with_its_decimal_comma(language, text):
    with translation.override(language):
        assert render("storage_projection", PROJECTION) == text


def test_every_kind_renders_in_lithuanian_and_latvian_without_english_left():
    figures = {
        "retention_shortfall": {"camera": "Vytauto g.", "held_days": 21.5, "retention_days": 30},
        "storage_projection": PROJECTION,
        "storage_full": {"node": "node-a", "free_mib": 120, "watermark_mib": 2048},
        "segment_missing": {"total": 3, "names": "a.ts, b.ts"},
        "file_quarantined": {"path": "7/2026/x.ts", "reason": "not a segment file name"},
        "integrity": {"path": "7/2026/x.ts"},
        "stream_clock": {},
        "unknown_files": {"count": 2, "folders": "99 (2)"},
    }
    for kind, params in figures.items():
        with translation.override("en"):
            english = render(kind, params)
        for language in ("lt", "lv"):
            with translation.override(language):
                text = render(kind, params)
            assert text != english and "%(" not in text, (language, kind, text)
    with translation.override("lv"):
        assert render("file_quarantined", figures["file_quarantined"]).endswith("(nav segmenta faila nosaukums)")


def test_an_alarm_without_its_figures_says_its_kind():
    with translation.override("lv"):
        assert render("storage_full", {}) == str(translation.gettext("Storage full of held footage"))
        assert render("a_kind_of_a_newer_release", {"x": 1}) == "a_kind_of_a_newer_release"


@pytest.mark.parametrize(
    ("kind", "message", "params"),
    [
        (
            "storage_projection",
            "At the current rates the storage holds 0.1 days, less than the 30 days Rotušė 1 must keep.",
            {"days": 0.1, "retention_days": 30},
        ),
        (
            "retention_shortfall",
            "Rotušė 1 holds 12.5 days of footage, not its 30: storage ran out and the oldest footage was deleted.",
            {"camera": "Rotušė 1", "held_days": 12.5, "retention_days": 30},
        ),
        (
            "storage_full",
            "Storage is full (12 MiB free, watermark 2048 MiB) and only held footage is left: nothing more can be "
            "deleted. Add storage or release holds.",
            {"free_mib": 12, "watermark_mib": 2048},
        ),
        (
            "segment_missing",
            "2 indexed segment file(s) are missing from disk, newly: a.ts, b.ts",
            {"total": 2, "names": "a.ts, b.ts"},
        ),
        (
            "file_quarantined",
            "3/x.ts was quarantined (unreadable: bad)",
            {"path": "3/x.ts", "reason": "unreadable: bad"},
        ),
        ("integrity", "Segment 3/x.ts no longer matches its SHA-256: the file was altered.", {"path": "3/x.ts"}),
        (
            "unknown_files",
            "4 file(s) of no known camera were quarantined, from: 77 (4)",
            {"count": 4, "folders": "77 (4)"},
        ),
        ("stream_clock", "The camera's stream timestamps do not keep time ...", {}),
        ("storage_full", "something a person wrote", {}),
    ],
)
def test_the_migration_reads_the_figures_back_from_the_old_sentences(kind, message, params):
    assert migration.params_of(kind, message) == params


@pytest.mark.django_db
def test_the_admin_shows_an_alarm_in_the_admins_language(admin_client):
    from alarms.services import raise_alarm

    alarm = raise_alarm(
        kind="storage_full", camera_id=None, severity="critical", params={"free_mib": 5, "watermark_mib": 9}
    )
    listing = admin_client.get("/admin/alarms/alarm/", HTTP_ACCEPT_LANGUAGE="lv")
    assert listing.status_code == 200
    assert "Krātuve ir pilna (brīvi 5 MiB, robeža 9 MiB)" in listing.content.decode()
    detail = admin_client.get(f"/admin/alarms/alarm/{alarm.pk}/change/", HTTP_ACCEPT_LANGUAGE="lt")
    assert detail.status_code == 200
    assert "Saugykla pilna (laisva 5 MiB, riba 9 MiB)" in detail.content.decode()
