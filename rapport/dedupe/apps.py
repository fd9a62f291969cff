from django.apps import AppConfig


class DedupeConfig(AppConfig):
    """Duplicate detection: the matcher, its commands and the duplicate review queue."""

    name = "rapport.dedupe"
    verbose_name = "Duplicate detection"
