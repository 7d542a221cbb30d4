import pytest

from health import checks


@pytest.fixture(autouse=True)
def _fresh_worker_answer(monkeypatch):
    # The workers' answer is shared for a few seconds; each test asks its own workers.
    monkeypatch.setattr(checks, "_workers_cached", None)
