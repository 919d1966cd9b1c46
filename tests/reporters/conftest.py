"""The `golden` fixture lives in tests/conftest.py: every test directory uses it."""
