from django.apps import AppConfig


class DedupeConfig(AppConfig):
    """Only for the ``rapport dedupe`` command: the package has no models."""

    name = "rapport.dedupe"
    verbose_name = "Duplicate detection"
