"""Routes of the pipeline board; included before the generated record screens, whose
``/opportunities/<pk>/`` would otherwise take ``board`` for a record id."""

from django.urls import path

from rapport.opportunities import board_views

urlpatterns = [
    path("opportunities/board/", board_views.board, name="board"),
    path("opportunities/board/move/", board_views.board_move, name="board-move"),
]
