"""The DESCRIBE before ffmpeg opens a camera (recordings/capture/describe.py): a camera with sound is set up
for video alone, so the sound is never sent, and its status still says it has sound. Anything our
DESCRIBE cannot do is left to ffmpeg, which then reads every track as before."""

import hashlib
import re
import socket
import threading
import time
import urllib.parse

import pytest

from recordings.capture import describe
from recordings.capture.session import CameraSource, RecordingSession
from tests.support.tcpproxy import TcpProxy

SDP = b"v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\nm=audio 0 RTP/AVP 8\r\n"


class ScriptedCamera:
    """Answers DESCRIBE on a free port: 401 offering Basic and Digest until the Digest answer is right,
    then the SDP; keeps the requests it saw."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.requests: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                head, _, data = data.partition(b"\r\n\r\n")
                request = head.decode()
                self.requests.append(request)
                cseq = re.search(r"CSeq: (\d+)", request).group(1)
                if self._authorized(request):
                    head = f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Length: {len(SDP)}\r\n\r\n"
                    conn.sendall(head.encode() + SDP)
                else:
                    conn.sendall(
                        f'RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\nWWW-Authenticate: Basic realm="cam"\r\n'
                        'WWW-Authenticate: Digest realm="cam", nonce="abc123", qop="auth"\r\n\r\n'.encode()
                    )

    def _authorized(self, request: str) -> bool:
        match = re.search(r"Authorization: Digest (.*)", request)
        if not match:
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', match.group(1)))

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1, ha2 = md5(f"{self.user}:cam:{self.password}"), md5(f"DESCRIBE:{fields['uri']}")
        expected = md5(f"{ha1}:abc123:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        return fields["response"] == expected and fields["username"] == self.user


def test_digest_is_answered_and_the_password_never_goes_on_the_wire():
    camera = ScriptedCamera("admin", "pa:ss wörd")
    password = urllib.parse.quote("pa:ss wörd", safe="")
    with describe.described(f"rtsp://admin:{password}@127.0.0.1:{camera.port}/live", timeout=2) as tracks:
        assert tracks == describe.Tracks(video=True, audio=True)
    assert [r.split()[1] for r in camera.requests] == [f"rtsp://127.0.0.1:{camera.port}/live"] * 2
    assert not any("pa:ss" in r or "Basic" in r for r in camera.requests)  # Digest chosen over Basic


def test_a_wrong_password_and_an_answer_that_is_not_rtsp_are_errors():
    camera = ScriptedCamera("admin", "right")
    url = f"rtsp://admin:wrong@127.0.0.1:{camera.port}/"
    with pytest.raises(describe.DescribeError) as refused, describe.described(url, timeout=2):
        pass
    assert refused.value.status == 401

    listener = socket.create_server(("127.0.0.1", 0))

    def babble() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(bytes(range(256)) * 4)

    threading.Thread(target=babble, daemon=True).start()
    url = f"rtsp://127.0.0.1:{listener.getsockname()[1]}/"
    with pytest.raises(describe.DescribeError), describe.described(url, timeout=2):
        pass
    listener.close()


def test_a_camera_with_sound_sends_video_alone_and_says_it_has_sound(simulator, recordings_root):
    camera = simulator("Sound", kind="audio-video")
    proxy = TcpProxy("127.0.0.1", camera.port).start()
    started, segments = [], []
    session = RecordingSession(
        CameraSource(1, f"rtsp://127.0.0.1:{proxy.port}{camera.path}"),
        on_started=started.append,
        on_segment=segments.append,
        should_stop=lambda: bool(segments),
        segment_seconds=1.0,
    )
    try:
        result = session.run()
    finally:
        proxy.stop()
    assert result is None and segments
    assert started[0].audio_dropped
    requests = bytes(proxy.sent).decode("latin-1")
    # Our DESCRIBE, then ffmpeg's DESCRIBE and one SETUP: the audio track is never set up.
    assert requests.count("DESCRIBE ") == 2
    assert requests.count("SETUP ") == 1


def test_a_camera_our_describe_does_not_get_along_with_is_read_by_ffmpeg_as_before(simulator, recordings_root):
    """A camera that answers our DESCRIBE in a way we do not take (here a 500 to the first connection
    only) is still recorded: ffmpeg asks again and reads every track."""
    camera = simulator("Picky")
    listener = socket.create_server(("127.0.0.1", 0))
    proxy = TcpProxy("127.0.0.1", camera.port)
    proxy.port = listener.getsockname()[1]

    def picky() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)
            listener.close()
            proxy.start()  # every later connection (ffmpeg's) reaches the camera
            conn.sendall(b"RTSP/1.0 500 Internal Server Error\r\nCSeq: 1\r\n\r\n")

    threading.Thread(target=picky, daemon=True).start()
    started, segments = [], []
    deadline = time.monotonic() + 30
    session = RecordingSession(
        CameraSource(1, f"rtsp://127.0.0.1:{proxy.port}{camera.path}"),
        on_started=started.append,
        on_segment=segments.append,
        should_stop=lambda: bool(segments) or time.monotonic() > deadline,
        segment_seconds=1.0,
    )
    try:
        assert session.run() is None and segments
    finally:
        proxy.stop()
    assert not started[0].audio_dropped
    assert bytes(proxy.sent).decode("latin-1").count("DESCRIBE ") == 1  # ffmpeg's
