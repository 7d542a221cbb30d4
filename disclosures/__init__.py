"""Requests to disclose footage (police, data subjects, internal incidents): form, review, package, download."""
