"""HLS playlists generated from the segment index; segment files served only to who may see them."""

import threading
import time
from datetime import UTC, datetime, timedelta

import factory
import pytest
from django.contrib.auth import get_user_model

from accounts.roles import OPERATOR
from accounts.services import assign_role
from playback import services, views
from recordings.choices import GapCause
from recordings.models import Gap, Segment
from retention.choices import DeletionReason
from retention.services import delete_batch
from tests.factories import CameraFactory, EldershipFactory, SegmentFactory
from tests.support.auth import make_user

T0 = datetime(2026, 6, 13, 19, 0, tzinfo=UTC)


def add_segments(camera, start, count):
    """`count` back-to-back 4 s segments from `start`."""
    return SegmentFactory.create_batch(
        count, camera=camera, start=factory.Iterator(start + timedelta(seconds=4 * i) for i in range(count))
    )


@pytest.fixture
def staff(client):
    """An Operator whose scope is every eldership the test makes (elderships are added as cameras are)."""
    user = make_user("operator", OPERATOR)
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def _scope_follows_cameras(request):
    """Put each new camera's eldership into the operator's scope, if there is an operator."""
    from django.db.models.signals import post_save

    from cameras.models import Camera

    def add(sender, instance, created, **kwargs):
        user = get_user_model().objects.filter(username="operator").first()
        if created and user:
            assign_role(user=user, role=OPERATOR, elderships=[instance.eldership])

    post_save.connect(add, sender=Camera, dispatch_uid="scope-follows-cameras")
    yield
    post_save.disconnect(sender=Camera, dispatch_uid="scope-follows-cameras")


@pytest.mark.django_db
def test_vod_playlist_has_wall_clock_times_and_a_discontinuity_at_the_gap(client, staff):
    camera = CameraFactory()
    add_segments(camera, T0, 3)
    add_segments(camera, T0 + timedelta(seconds=30), 2)  # an outage from 19:00:12 to 19:00:30
    response = client.get(
        f"/playback/cameras/{camera.pk}/vod.m3u8", {"start": "2026-06-13T19:00:00Z", "end": "2026-06-13T20:00:00Z"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    lines = response.content.decode().splitlines()
    assert lines[0] == "#EXTM3U" and lines[-1] == "#EXT-X-ENDLIST"
    stamps = [line.split(":", 1)[1] for line in lines if line.startswith("#EXT-X-PROGRAM-DATE-TIME")]
    assert stamps == [
        "2026-06-13T19:00:00.000Z",
        "2026-06-13T19:00:04.000Z",
        "2026-06-13T19:00:08.000Z",
        "2026-06-13T19:00:30.000Z",
        "2026-06-13T19:00:34.000Z",
    ]
    assert lines.count("#EXT-X-DISCONTINUITY") == 1
    assert lines.index("#EXT-X-DISCONTINUITY") < lines.index("#EXT-X-PROGRAM-DATE-TIME:2026-06-13T19:00:30.000Z")
    assert "#EXTINF:4.000," in lines


@pytest.mark.django_db
def test_live_playlist_is_a_window_of_the_newest_segments(client, staff):
    camera = CameraFactory()
    add_segments(camera, T0 - timedelta(days=40), 3)
    add_segments(camera, T0, 10)
    url = f"/playback/cameras/{camera.pk}/live.m3u8"
    text = client.get(url).content.decode()
    assert "#EXT-X-ENDLIST" not in text
    assert "#EXT-X-MEDIA-SEQUENCE:9" in text  # 3 + 6 segments before the window
    assert text.count("#EXTINF") == 4
    # Retention deleting older footage does not renumber what a live player is playing.
    deleted = delete_batch(camera_id=camera.pk, before=T0, limit=100, reason=DeletionReason.RETENTION)
    assert deleted.count == 3
    services._anchors.clear()  # as a new process would: counted from the history, not from the last answer
    assert "#EXT-X-MEDIA-SEQUENCE:9" in client.get(url).content.decode()


@pytest.mark.django_db
def test_live_sequence_numbers_run_on_across_midnight(client, staff):
    camera = CameraFactory()
    url = f"/playback/cameras/{camera.pk}/live.m3u8"
    add_segments(camera, datetime(2026, 6, 13, 23, 59, 44, tzinfo=UTC), 4)  # to 00:00:00
    assert "#EXT-X-MEDIA-SEQUENCE:0" in client.get(url).content.decode()
    add_segments(camera, datetime(2026, 6, 14, 0, 0, tzinfo=UTC), 2)
    text = client.get(url).content.decode()
    assert "#EXT-X-MEDIA-SEQUENCE:2" in text and "#EXT-X-PROGRAM-DATE-TIME:2026-06-14T00:00:04.000Z" in text


@pytest.mark.django_db(transaction=True)
def test_a_live_player_asking_for_the_next_segment_gets_it_as_soon_as_it_is_indexed(client, staff):
    camera = CameraFactory()
    add_segments(camera, T0, 10)  # media sequence 6..9 in the window
    url = f"/playback/cameras/{camera.pk}/live.m3u8"
    assert "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES" in client.get(url).content.decode()
    # The recorder indexes the next segment while the player's request waits for it.
    writer = threading.Timer(0.3, lambda: add_segments(camera, T0 + timedelta(seconds=40), 1))
    writer.start()
    try:
        began = time.monotonic()
        text = client.get(url, {"_HLS_msn": "10"}).content.decode()
        waited = time.monotonic() - began
    finally:
        writer.join()
    assert "#EXT-X-MEDIA-SEQUENCE:7" in text and "#EXT-X-PROGRAM-DATE-TIME:2026-06-13T19:00:40.000Z" in text
    assert waited < views.LIVE_BLOCK_SECONDS


@pytest.mark.django_db
def test_a_blocking_live_request_ends_with_the_current_window_when_nothing_new_comes(client, staff, monkeypatch):
    monkeypatch.setattr(views, "LIVE_BLOCK_SECONDS", 0.3)
    camera = CameraFactory()
    add_segments(camera, T0, 10)
    url = f"/playback/cameras/{camera.pk}/live.m3u8"
    began = time.monotonic()
    response = client.get(url, {"_HLS_msn": "11"})
    assert time.monotonic() - began >= 0.3
    assert response.status_code == 200 and "#EXT-X-MEDIA-SEQUENCE:6" in response.content.decode()
    # Already there: answered at once.
    assert "#EXT-X-MEDIA-SEQUENCE:6" in client.get(url, {"_HLS_msn": "9"}).content.decode()


@pytest.mark.django_db
def test_past_the_limit_of_waiting_requests_a_live_player_is_answered_at_once(client, staff, settings):
    settings.LIVE_WAITING_REQUESTS_MAX = 0
    camera = CameraFactory()
    add_segments(camera, T0, 10)
    began = time.monotonic()
    response = client.get(f"/playback/cameras/{camera.pk}/live.m3u8", {"_HLS_msn": "10"})
    assert time.monotonic() - began < views.LIVE_BLOCK_SECONDS
    assert response.status_code == 200 and "#EXT-X-MEDIA-SEQUENCE:6" in response.content.decode()
    assert services.waiting_requests.count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("msn", ["12", "-1", "next", "", "²", "9" * 5000])
def test_a_live_request_for_a_bad_or_far_future_segment_is_refused_clearly(client, staff, msn):
    camera = CameraFactory()
    add_segments(camera, T0, 10)
    response = client.get(f"/playback/cameras/{camera.pk}/live.m3u8", {"_HLS_msn": msn})
    assert response.status_code == 400 and "_HLS_msn" in response.json()["error"]


@pytest.mark.django_db
def test_a_range_without_footage_or_bad_times_gives_a_clear_answer(client, staff):
    camera = CameraFactory()
    url = f"/playback/cameras/{camera.pk}/vod.m3u8"
    empty = client.get(url, {"start": "2026-06-13T19:00:00Z", "end": "2026-06-13T20:00:00Z"}, HTTP_ACCEPT_LANGUAGE="en")
    assert empty.status_code == 404 and "no footage" in empty.json()["error"].lower()
    bad = client.get(url, {"start": "soon", "end": "2026-06-13T20:00:00Z"})
    assert bad.status_code == 400 and bad.json()["error"]
    backwards = client.get(url, {"start": "2026-06-13T20:00:00Z", "end": "2026-06-13T19:00:00Z"})
    assert backwards.status_code == 400


@pytest.mark.django_db
def test_segments_and_playlists_are_not_served_to_anonymous_users(client, recordings_root):
    camera = CameraFactory()
    (segment,) = add_segments(camera, T0, 1)
    path = recordings_root / segment.path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x47" * 188)
    assert client.get(f"/playback/segments/{segment.pk}.ts").status_code == 404
    assert client.get(f"/playback/cameras/{camera.pk}/live.m3u8").status_code == 404
    client.force_login(make_user("operator", OPERATOR, elderships=[camera.eldership]))
    response = client.get(f"/playback/segments/{segment.pk}.ts")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x47" * 188


@pytest.mark.django_db
def test_timeline_of_a_day_shows_recorded_ranges_and_gaps_with_causes(client, staff):
    camera = CameraFactory()
    add_segments(camera, T0, 3)
    add_segments(camera, T0 + timedelta(seconds=30), 2)
    Gap.objects.create(
        camera=camera, start=T0 + timedelta(seconds=12), end=T0 + timedelta(seconds=30), cause=GapCause.STREAM_ENDED
    )
    data = client.get(f"/playback/cameras/{camera.pk}/timeline.json", {"date": "2026-06-13"}).json()
    ms = lambda d: round(d.timestamp() * 1000)  # noqa: E731
    assert data["start"] == ms(datetime(2026, 6, 12, 21, 0, tzinfo=UTC))
    assert data["recorded"] == [
        [ms(T0), ms(T0 + timedelta(seconds=12))],
        [ms(T0 + timedelta(seconds=30)), ms(T0 + timedelta(seconds=38))],
    ]
    assert [(g["cause"], g["start"]) for g in data["gaps"]] == [("stream_ended", ms(T0 + timedelta(seconds=12)))]
    assert client.get(f"/playback/cameras/{camera.pk}/timeline.json", {"date": "13.06.2026"}).status_code == 400


@pytest.mark.django_db
def test_an_operator_gets_nothing_of_a_camera_outside_their_elderships(client):
    mine, theirs = CameraFactory(), CameraFactory(eldership=EldershipFactory())
    add_segments(theirs, T0, 2)
    client.force_login(make_user("scoped", OPERATOR, elderships=[mine.eldership]))
    segment = Segment.objects.filter(camera=theirs).first()
    for url in (
        f"/playback/segments/{segment.pk}.ts",
        f"/playback/cameras/{theirs.pk}/live.m3u8",
        f"/playback/cameras/{theirs.pk}/timeline.json?date=2026-06-13",
        f"/playback/cameras/{theirs.pk}/vod.m3u8?start=2026-06-13T19:00:00Z&end=2026-06-13T20:00:00Z",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_viewing_is_audited_once_per_viewing_session_not_per_request(client, staff):
    from audit.models import AuditEntry

    camera = CameraFactory()
    add_segments(camera, T0, 3)
    window = {"start": "2026-06-13T19:00:00Z", "end": "2026-06-13T20:00:00Z"}
    for _ in range(3):  # the player reloads and seeks: the same viewing
        assert client.get(f"/playback/cameras/{camera.pk}/vod.m3u8", window).status_code == 200
    entries = AuditEntry.objects.filter(action="playback", camera=camera)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.user == staff
    assert entry.details["start"] == "2026-06-13T19:00:00+00:00"
