"""What a camera's stream holds, asked with one RTSP DESCRIBE before ffmpeg opens it (docs/capture.md).

Knowing the tracks first lets ffmpeg set up the video alone (`allowed_media_types=video`): a camera with
sound then never sends it, which saves a third of reading such a camera and keeps the sound we may not
record off the network, while the status still says that the camera has sound ("audio not recorded").
Only DESCRIBE, with Basic or Digest authentication (RFC 2326, RFC 2617): the stream itself is ffmpeg's.
"""

import base64
import contextlib
import hashlib
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

# A camera's answer (headers and SDP) is a few kB; more without an end is not RTSP.
_MAX_ANSWER = 64 * 1024
_USER_AGENT = "Birzai VMS"


class DescribeError(Exception):
    """The camera did not describe its stream; `status` is its RTSP status code when it answered."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Tracks:
    video: bool
    audio: bool


def tracks_in(sdp: str) -> Tracks:
    """The kinds of media a session description offers."""
    kinds = {line[2:].split(" ", 1)[0].strip().lower() for line in sdp.splitlines() if line.startswith("m=")}
    return Tracks(video="video" in kinds, audio="audio" in kinds)


@contextlib.contextmanager
def described(url: str, *, timeout: float) -> Iterator[Tracks]:
    """DESCRIBE `url` (credentials in it, as for ffmpeg); the connection stays open until the block ends.

    Held while ffmpeg opens the stream: a camera (or the simulator's shared media) that tears its stream
    down when its last client leaves would otherwise answer ffmpeg 503 in the middle of that. Raises
    DescribeError, TimeoutError or OSError on entering."""
    parts = urlsplit(url)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else ""
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    bare = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))  # no credentials on the wire
    with socket.create_connection((host, parts.port or 554), timeout=timeout) as sock:
        reader = sock.makefile("rb")
        challenge: tuple[str, dict[str, str]] | None = None
        for cseq in (1, 2):
            lines = [f"DESCRIBE {bare} RTSP/1.0", f"CSeq: {cseq}", f"User-Agent: {_USER_AGENT}"]
            lines.append("Accept: application/sdp")
            if challenge is not None:
                lines.append(f"Authorization: {_authorization(challenge, user, password, bare)}")
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            status, headers, body = _answer(reader)
            if status == 401 and challenge is None and user is not None:
                challenge = _challenge(headers.get("www-authenticate", ""))
                if challenge is not None:
                    continue
            if status != 200:
                raise DescribeError(f"DESCRIBE answered {status}", status=status)
            yield tracks_in(body.decode("utf-8", "replace"))
            return
    raise DescribeError("DESCRIBE answered 401", status=401)


def _answer(reader) -> tuple[int, dict[str, str], bytes]:
    status_line = reader.readline(_MAX_ANSWER)
    match = re.match(rb"RTSP/\d\.\d\s+(\d{3})", status_line)
    if not match:
        raise DescribeError("the camera's answer is not RTSP")
    headers: dict[str, str] = {}
    read = len(status_line)
    while True:
        line = reader.readline(_MAX_ANSWER)
        read += len(line)
        if not line or read > _MAX_ANSWER:
            raise DescribeError("the camera's answer has no end")
        if line in (b"\r\n", b"\n"):
            break
        key, _, value = line.decode("latin-1").partition(":")
        key = key.strip().lower()
        # A camera may offer several schemes, a header each (Basic and Digest).
        headers[key] = f"{headers[key]}\n{value.strip()}" if key in headers else value.strip()
    length = headers.get("content-length", "0")
    if not length.isdigit() or int(length) > _MAX_ANSWER:
        raise DescribeError("the camera's answer has no valid length")
    body = reader.read(int(length))
    if len(body) < int(length):
        raise DescribeError("the camera's answer ended early")
    return int(match.group(1)), headers, body


def _challenge(header: str) -> tuple[str, dict[str, str]] | None:
    """The scheme to answer (Digest before Basic: it does not send the password) and its parameters."""
    offers = {}
    for line in header.split("\n"):
        scheme, _, rest = line.strip().partition(" ")
        offers[scheme.lower()] = {k.lower(): v for k, v in re.findall(r'(\w+)\s*=\s*"?([^",]*)"?', rest)}
    for scheme in ("digest", "basic"):
        if scheme in offers:
            return scheme, offers[scheme]
    return None


def _authorization(challenge: tuple[str, dict[str, str]], user: str | None, password: str, uri: str) -> str:
    scheme, fields = challenge
    if scheme == "basic":
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    realm, nonce = fields.get("realm", ""), fields.get("nonce", "")
    ha1, ha2 = _md5(f"{user}:{realm}:{password}"), _md5(f"DESCRIBE:{uri}")
    answer = {"username": user, "realm": realm, "nonce": nonce, "uri": uri}
    if "auth" in [q.strip() for q in fields.get("qop", "").split(",")]:
        cnonce = os.urandom(8).hex()
        answer["response"] = _md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
        text = ", ".join(f'{k}="{v}"' for k, v in answer.items())
        text += f', qop=auth, nc=00000001, cnonce="{cnonce}"'
    else:
        answer["response"] = _md5(f"{ha1}:{nonce}:{ha2}")
        text = ", ".join(f'{k}="{v}"' for k, v in answer.items())
    if "opaque" in fields:
        text += f', opaque="{fields["opaque"]}"'
    return "Digest " + text


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
