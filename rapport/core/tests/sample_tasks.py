"""Tasks the worker tests enqueue; a worker process imports them by module path."""

from __future__ import annotations

from django_tasks import task


@task()
def multiply(a: int, b: int) -> int:
    return a * b


@task()
def explode(message: str) -> None:
    raise ValueError(message)
