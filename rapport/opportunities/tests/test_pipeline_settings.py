"""The administrator's pipeline screens: stages in order, reordered, added, edited, deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import Personas, client_for
from rapport.core.models import ChangeLogEntry
from rapport.core.selectors import record_changes
from rapport.framework.choices import ChangeAction
from rapport.framework.testing.factories import OpportunityFactory, PipelineFactory, StageFactory
from rapport.identity.models import User
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Pipeline, Stage

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": "pw"}).status_code == 302
    return client


@pytest.fixture
def pipeline() -> Pipeline:
    pipeline = PipelineFactory(name="New business")
    for position, (name, probability, kind) in enumerate(
        [
            ("Qualify", 10, StageKind.OPEN),
            ("Propose", 50, StageKind.OPEN),
            ("Won", 100, StageKind.WON),
            ("Lost", 0, StageKind.LOST),
        ]
    ):
        StageFactory(
            pipeline=pipeline, name=name, probability=probability, kind=kind, position=position
        )
    return pipeline


def stage_names(pipeline: Pipeline) -> list[str]:
    return list(pipeline.stages.order_by("position", "id").values_list("name", flat=True))


def stage_state() -> list[tuple[Any, ...]]:
    return list(
        Stage.objects.order_by("pk").values_list("pk", "name", "position", "probability", "kind")
    )


def test_the_pipeline_screen_lists_its_stages_in_order(
    personas: Personas, pipeline: Pipeline
) -> None:
    body = signed_in("admin").get(f"/settings/pipelines/{pipeline.pk}/").content.decode()
    positions = [body.index(f">{name}</a>") for name in ["Qualify", "Propose", "Won", "Lost"]]
    assert positions == sorted(positions)
    assert "50 %" in body
    assert 'aria-label="Move Propose up"' in body
    # the first stage cannot move up, the last cannot move down
    assert 'value="up" class="secondary outline small" disabled' in body
    assert 'value="down" class="secondary outline small" disabled' in body


def test_the_pipeline_list_links_each_pipeline(personas: Personas, pipeline: Pipeline) -> None:
    body = signed_in("admin").get("/settings/pipelines/").content.decode()
    assert f'href="/settings/pipelines/{pipeline.pk}/">New business</a>' in body


def test_a_stage_moves_up_and_down(personas: Personas, pipeline: Pipeline) -> None:
    # given
    client = signed_in("admin")
    propose = Stage.objects.get(name="Propose")
    # when
    up = client.post(f"/settings/pipelines/stages/{propose.pk}/move/", {"direction": "up"})
    # then
    assert up.status_code == 302
    assert up["Location"] == f"/settings/pipelines/{pipeline.pk}/#stage-{propose.pk}"
    assert stage_names(pipeline) == ["Propose", "Qualify", "Won", "Lost"]
    # when it moves down twice
    for _ in range(2):
        client.post(f"/settings/pipelines/stages/{propose.pk}/move/", {"direction": "down"})
    # then
    assert stage_names(pipeline) == ["Qualify", "Won", "Propose", "Lost"]
    assert list(pipeline.stages.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
        3,
    ]
    # and the change log records who moved it
    assert record_changes(propose).filter(user=personas.admin).count() == 3


def test_the_first_stage_does_not_move_up(personas: Personas, pipeline: Pipeline) -> None:
    client = signed_in("admin")
    qualify = Stage.objects.get(name="Qualify")
    before = stage_state()
    response = client.post(f"/settings/pipelines/stages/{qualify.pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    assert stage_state() == before


def test_stages_with_equal_positions_are_numbered_when_moved(personas: Personas) -> None:
    # given stages that all kept the default position 0
    pipeline = PipelineFactory()
    first, second, third = (StageFactory(pipeline=pipeline, position=0) for _ in range(3))
    # when the last moves up
    signed_in("admin").post(f"/settings/pipelines/stages/{third.pk}/move/", {"direction": "up"})
    # then
    assert list(pipeline.stages.order_by("position").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]


def test_a_stage_is_added_at_the_end_and_edited(personas: Personas, pipeline: Pipeline) -> None:
    # given
    client = signed_in("admin")
    # when
    added = client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/new/",
        {"name": "Negotiate", "probability": "70", "kind": "open"},
    )
    stage = Stage.objects.get(name="Negotiate")
    edited = client.post(
        f"/settings/pipelines/stages/{stage.pk}/",
        {"name": "Negotiation", "probability": "75", "kind": "open"},
    )
    # then
    assert (added.status_code, edited.status_code) == (302, 302)
    assert stage_names(pipeline) == ["Qualify", "Propose", "Won", "Lost", "Negotiation"]
    stage.refresh_from_db()
    assert (stage.probability, stage.pipeline_id) == (75, pipeline.pk)
    assert [e.action for e in record_changes(stage).order_by("id")] == [
        ChangeAction.CREATE,
        ChangeAction.UPDATE,
    ]


def test_a_probability_above_100_is_refused_beside_the_field(
    personas: Personas, pipeline: Pipeline
) -> None:
    # given
    client = signed_in("admin")
    before = stage_state()
    # when
    response = client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/new/",
        {"name": "Dream", "probability": "150", "kind": "open"},
    )
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert (
        '<small class="field-error" id="id_probability-err" role="alert">'
        "Ensure this value is less than or equal to 100.</small>" in body
    )
    assert 'aria-describedby="id_probability_helptext id_probability-err"' in body
    assert stage_state() == before


def test_a_duplicate_stage_name_is_refused(personas: Personas, pipeline: Pipeline) -> None:
    client = signed_in("admin")
    before = stage_state()
    response = client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/new/",
        {"name": "Won", "probability": "100", "kind": "won"},
    )
    assert response.status_code == 400
    assert "Stage with this Pipeline and Name already exists." in response.content.decode()
    assert stage_state() == before


def test_a_stage_that_opportunities_use_is_not_deleted(
    personas: Personas, pipeline: Pipeline
) -> None:
    # given an opportunity in the Propose stage
    propose = Stage.objects.get(name="Propose")
    OpportunityFactory(owner=personas.owner, stage=propose)
    client = signed_in("admin")
    before = stage_state()
    # when the administrator deletes the stage
    response = client.post(f"/settings/pipelines/stages/{propose.pk}/delete/", follow=True)
    # then they are told why and nothing changed
    assert (
        "The stage Propose cannot be deleted: 1 opportunity is in it or passed through it. "
        "Move it to another stage first." in response.content.decode()
    )
    assert stage_state() == before


def test_the_api_refuses_to_delete_a_used_stage_with_the_same_reason(
    personas: Personas, pipeline: Pipeline
) -> None:
    # given an opportunity in the Propose stage
    propose = Stage.objects.get(name="Propose")
    OpportunityFactory(owner=personas.owner, stage=propose)
    before = stage_state()
    # when the administrator deletes it through the API
    response = client_for(personas.admin).delete(f"/api/stages/{propose.pk}/")
    # then the rule of the settings screen holds there too
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["stage_in_use"]
    assert stage_state() == before


def test_an_unused_stage_is_deleted_and_logged(personas: Personas, pipeline: Pipeline) -> None:
    lost = Stage.objects.get(name="Lost")
    response = signed_in("admin").post(f"/settings/pipelines/stages/{lost.pk}/delete/")
    assert response.status_code == 302
    assert stage_names(pipeline) == ["Qualify", "Propose", "Won"]
    entry = ChangeLogEntry.objects.get(action=ChangeAction.DELETE)
    assert (entry.object_repr, entry.user) == ("Lost", personas.admin)


def test_a_pipeline_is_created_and_renamed(personas: Personas) -> None:
    client = signed_in("admin")
    response = client.post("/settings/pipelines/new/", {"name": "Renewals"})
    pipeline = Pipeline.objects.get(name="Renewals")
    assert response["Location"] == f"/settings/pipelines/{pipeline.pk}/"
    client.post(f"/settings/pipelines/{pipeline.pk}/edit/", {"name": "Renewals 2027"})
    pipeline.refresh_from_db()
    assert pipeline.name == "Renewals 2027"


def test_non_staff_cannot_change_stages(personas: Personas, pipeline: Pipeline) -> None:
    # given
    client = signed_in("owner")
    propose = Stage.objects.get(name="Propose")
    before, logged = stage_state(), ChangeLogEntry.objects.count()
    # when
    responses = [
        client.get(f"/settings/pipelines/{pipeline.pk}/"),
        client.post(f"/settings/pipelines/stages/{propose.pk}/move/", {"direction": "up"}),
        client.post(f"/settings/pipelines/stages/{propose.pk}/delete/"),
        client.post(
            f"/settings/pipelines/stages/{propose.pk}/",
            {"name": "Hacked", "probability": "1", "kind": "open"},
        ),
        client.post(
            f"/settings/pipelines/{pipeline.pk}/stages/new/",
            {"name": "Extra", "probability": "1", "kind": "open"},
        ),
    ]
    # then
    assert [r.status_code for r in responses] == [403] * 5
    assert stage_state() == before
    assert ChangeLogEntry.objects.count() == logged


def test_staff_without_superuser_rights_are_told_they_may_not_change_configuration(
    personas: Personas, pipeline: Pipeline
) -> None:
    # given a staff member (configuration is written by superusers only)
    User.objects.filter(pk=personas.manager.pk).update(is_staff=True)
    client = signed_in("manager")
    propose = Stage.objects.get(name="Propose")
    before = stage_state()
    # when
    response = client.post(
        f"/settings/pipelines/stages/{propose.pk}/",
        {"name": "Renamed", "probability": "50", "kind": "open"},
    )
    # then
    assert response.status_code == 400
    assert "You do not have permission to do this." in response.content.decode()
    assert stage_state() == before
