"""Steps that cannot go wrong (issue 23), in the data layer: what can follow each step, the
dwellings a match may name, a correction that keeps its kind unless a change is chosen, and a
refused move-in that speaks of the home, not of a match (both backends)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from eet.accounts.access import SYSTEM, AccessDenied
from eet.entry import data_entry, next_step, services
from eet.entry.schemas import RuleError
from eet.store.models import ParticipantEvent
from tests.test_figures import D, dwelling, event, participant

TODAY = D(2021, 6, 30)


def _housed(session):
    dwelling(session, "U-1", "available", D(2021, 1, 1))
    dwelling(session, "U-2", "available", D(2021, 1, 1))
    participant(session, "P-1", D(2021, 1, 5), municipality="Utrecht")
    event(session, "P-1", "assessed", D(2021, 1, 10), "eligible")
    event(session, "P-1", "matched", D(2021, 1, 20), dwelling_ref="U-1")
    event(session, "P-1", "housed", D(2021, 2, 1), dwelling_ref="U-1")


def test_what_can_follow_each_step(session):
    _housed(session)
    found = next_step.next_steps(session, SYSTEM, "P-1", TODAY)
    assert (found.step, found.kinds, found.dwelling_ref) == ("housed", ("exited",), "U-1")
    assert found.situation.text("nl") == "P-1 woont sinds 01-02-2021 in U-1: leg eerst de uitstroom vast"
    assert next_step.next_steps(session, SYSTEM, "P-1", D(2021, 1, 25)).kinds[0] == "housed"
    assert next_step.next_steps(session, SYSTEM, "P-1", D(2021, 1, 15)).kinds[0] == "matched"
    assert next_step.next_steps(session, SYSTEM, "P-1", D(2021, 1, 6)).kinds == ("assessed", "withdrawn")
    event(session, "P-1", "exited", D(2021, 3, 1), "positive")
    assert "withdrawn" not in next_step.next_steps(session, SYSTEM, "P-1", TODAY).kinds


def test_a_match_names_only_an_available_dwelling_nobody_is_matched_to(session, actors):
    _housed(session)
    dwelling(session, "U-3", "searching", D(2021, 1, 1))
    dwelling(session, "Z-1", "available", D(2021, 1, 1), municipality="Zeist")
    assert next_step.match_choices(session, SYSTEM, TODAY) == ["U-2", "Z-1"]  # U-1 occupied, U-3 searching
    assert next_step.match_choices(session, actors["coordinator"], TODAY) == ["U-2"]  # Utrecht's only
    participant(session, "P-2", D(2021, 1, 5), municipality="Utrecht")
    event(session, "P-2", "assessed", D(2021, 1, 10), "eligible")
    event(session, "P-2", "matched", D(2021, 3, 1), dwelling_ref="U-2")
    assert next_step.match_choices(session, SYSTEM, TODAY) == ["Z-1"]
    assert next_step.match_choices(session, SYSTEM, D(2021, 2, 1)) == ["U-2", "Z-1"]  # before that match


def test_another_organisations_participant_is_not_told_about(session, actors):
    _housed(session)
    participant(session, "P-Z", D(2021, 1, 5), referrer="Zeist")
    with pytest.raises(AccessDenied):
        next_step.next_steps(session, actors["coordinator"], "P-Z", TODAY)
    with pytest.raises(AccessDenied):
        next_step.next_steps(session, actors["viewer"], "P-1", TODAY)


def test_a_correction_keeps_the_kind_unless_a_change_is_chosen(session):
    _housed(session)
    move_in = session.exec(select(ParticipantEvent).where(ParticipantEvent.kind == "housed")).one()
    values = {"event": "assessed", "date": D(2021, 2, 2), "outcome": "eligible"}
    with pytest.raises(RuleError) as refused:
        data_entry.correct_step(session, SYSTEM, move_in.id, values, "typo")
    assert refused.value.errors[0].key == "correction_changes_kind"
    assert "'housed'" not in refused.value.errors[0].text("nl")  # the kinds in words
    assert session.get(ParticipantEvent, move_in.id).voided_at is None  # refused before anything was written
    new_id = data_entry.correct_step(session, SYSTEM, move_in.id,
                                     {"event": "housed", "date": D(2021, 2, 3), "dwelling_ref": "U-1"}, "date")
    assert session.get(ParticipantEvent, new_id).kind == "housed"
    changed = data_entry.correct_step(session, SYSTEM, new_id, {"event": "matched", "date": D(2021, 2, 3),
                                                                "dwelling_ref": "U-2"}, "meant", change_kind=True)
    assert session.get(ParticipantEvent, changed).kind == "matched"


def test_a_move_in_of_someone_housed_speaks_of_the_home_not_of_a_match(session):
    _housed(session)
    with pytest.raises(RuleError) as refused:
        services.record_event(session, SYSTEM, services.EventIn(
            code="P-1", event="housed", date=D(2021, 3, 1), dwelling_ref="U-2"))
    assert refused.value.errors[0].key == "still_lives_in"
