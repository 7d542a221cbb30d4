"""manage.py export_public_key: print the installation's Ed25519 public key (PEM) for verifiers."""

from django.core.management.base import BaseCommand

from birzai_vms import keys


class Command(BaseCommand):
    help = "Print the public key that verifies daily digests and deletion records (generates the key pair if new)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(keys.public_key_pem().rstrip())
        self.stdout.write(f"key id: {keys.key_id()}")
