"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for tests of emailed alerts."""

import email
import email.policy
import threading
from collections.abc import Callable
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from simulator.fleet import free_port
from tests.support.waiting import wait_for


class Mailbox:
    """Every message the server accepted, parsed; `url` is the EMAIL_URL that sends here."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> "Mailbox":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"]) + str(m["Cc"] or "")]

    def wait_for(
        self, match: Callable[[EmailMessage], bool], *, timeout: float = 30.0, what: str = "an email"
    ) -> EmailMessage:
        """The first received message `match` accepts, waiting up to `timeout` seconds."""

        def found() -> EmailMessage | None:
            with self._lock:
                return next((m for m in self.messages if match(m)), None)

        return wait_for(found, timeout=timeout, what=what)

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""
