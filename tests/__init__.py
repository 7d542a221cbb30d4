"""The test suite: one folder per app, plus browser/ and faults/ for what crosses apps."""
