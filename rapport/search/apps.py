from django.apps import AppConfig
from django.db.backends.signals import connection_created


class SearchConfig(AppConfig):
    name = "rapport.search"
    label = "search"

    def ready(self) -> None:
        from rapport.search.indexer import sqlite_functions  # needs the models loaded

        connection_created.connect(sqlite_functions, dispatch_uid="rapport.search.sqlite")
