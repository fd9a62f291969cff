"""API endpoints of the identity app: personal tokens, the user's profile, the change log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.core.models import ChangeLogEntry
from rapport.identity.choices import TokenScope
from rapport.identity.models import ApiToken, User
from rapport.identity.services import api_token_create, api_token_revoke


class ApiTokenSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    scope = serializers.ChoiceField(choices=TokenScope.choices, default=TokenScope.READ)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scope",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = ["prefix", "created_at", "revoked_at", "last_used_at"]


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # type: ignore[type-arg]
    """Your personal API tokens. The secret is shown once, in the response to creation;
    deleting a token revokes it."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user_id=self.request.user.pk or 0).order_by("-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied("Create tokens from a signed-in session, not with a token.")
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        issued = api_token_create(
            user=request.user,  # type: ignore[arg-type]
            name=ser.validated_data["name"],
            scope=ser.validated_data["scope"],
            expires_at=ser.validated_data.get("expires_at"),
        )
        data = dict(self.get_serializer(issued.token).data)
        data["secret"] = issued.secret
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        api_token_revoke(token=instance)


class UserSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "language",
            "role",
            "teams",
            "is_superuser",
        ]


class MeViewSet(viewsets.ViewSet):
    """The signed-in user."""

    serializer_class = UserSerializer

    def list(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)


class ChangeLogSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    content_type = serializers.CharField(source="content_type.model")

    class Meta:
        model = ChangeLogEntry
        fields = [
            "id",
            "time",
            "action",
            "actor_kind",
            "user",
            "token",
            "channel",
            "request_id",
            "content_type",
            "object_id",
            "object_repr",
            "before",
            "after",
        ]


class ChangeLogViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """The whole change log (administrators). Each record's own history is at
    ``/api/<type>/<id>/changes/`` for anyone who may see the record."""

    serializer_class = ChangeLogSerializer
    queryset = ChangeLogEntry.objects.none()
    filterset_fields = ["action", "actor_kind", "channel", "user", "object_id", "request_id"]

    def get_queryset(self) -> QuerySet[ChangeLogEntry]:
        if not self.request.user.is_superuser:
            return ChangeLogEntry.objects.none()
        return ChangeLogEntry.objects.select_related("content_type").order_by("-id")
