from rest_framework.pagination import CursorPagination


class RecordCursorPagination(CursorPagination):
    """Cursor pagination: constant cost per page however deep, stable under inserts."""

    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
    ordering = "-id"


class ChangeLogPagination(RecordCursorPagination):
    """Change-log entries of one record, newest first, whatever the record type orders by."""

    ordering = "-id"
