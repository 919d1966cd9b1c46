"""The `golden` fixture lives in tests/conftest.py (golden files beside each test folder)."""
