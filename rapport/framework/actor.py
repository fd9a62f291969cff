"""The actor of a change: passed explicitly to every service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapport.framework.choices import ActorKind, Channel

if TYPE_CHECKING:
    from rapport.identity.models import User


@dataclass(frozen=True)
class Actor:
    """Who makes a change, through which channel, under which request id."""

    user: User | None
    kind: ActorKind = ActorKind.USER
    channel: Channel = Channel.UI
    request_id: str = ""
    token_id: int | None = None
    read_only: bool = False

    @classmethod
    def system(cls, *, channel: Channel = Channel.JOB, user: User | None = None) -> Actor:
        return cls(
            user=user,
            kind=ActorKind.JOB if channel == Channel.JOB else ActorKind.SYSTEM,
            channel=channel,
        )
