"""EMAIL_URL reaches a real SMTP server: the path every alert and request notice takes."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

from birzai_vms.config import email_setting

SHOWN = "consolemail:// (printed on the console)"  # as settings.py registers it for the README table


def test_mail_reaches_the_smtp_server(mailbox):
    send_mail("Kamera neveikia", "Pabiržės kamera nutilo.", None, ["budintis@birzai.lt"])

    message = mailbox.wait_for(lambda m: m["Subject"] == "Kamera neveikia", timeout=10)
    assert "budintis@birzai.lt" in message["To"]
    assert "Pabiržės" in mailbox.body(message)


def test_email_url_is_parsed_into_django_settings(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://vms:secret@mail.birzai.lt:587")
    config = email_setting("EMAIL_URL", "consolemail://", shown=SHOWN)
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == ("mail.birzai.lt", 587, True)


def test_a_malformed_email_url_stops_start_up_with_its_name(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://host:notaport")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_setting("EMAIL_URL", "consolemail://", shown=SHOWN)
