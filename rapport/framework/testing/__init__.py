"""Test support shared by every app: factories and the generic record-type suites."""
