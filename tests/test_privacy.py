"""Small-count suppression: a viewer cannot read a count of 1 to 4 of people, directly or by
difference."""

from datetime import date

from eet import privacy, services
from eet.access import SYSTEM
from eet.progress import changes_since
from eet.schemas import ParticipantIn


def test_suppress_and_change_rules():
    assert [privacy.suppress(n, 5) for n in (0, 1, 4, 5)] == [0, "<5", "<5", 5]
    assert privacy.change(3, 20) == 17
    assert privacy.change("<5", 20) is None  # would reveal the 3
    assert privacy.change(20, "<5") is None
    assert privacy.change(None, 4) is None


def test_viewer_sees_no_change_next_to_a_hidden_count(session, actors):
    for i, referred in enumerate([date(2021, 1, 5)] + [date(2021, 3, 1)] * 6):
        services.register_participant(session, SYSTEM, ParticipantIn(
            code=f"P-{i}", referrer="Stadsteam Back Up", referred_on=referred))
    session.flush()

    def referred(actor):
        rows = changes_since(session, actor, date(2021, 4, 1), date(2021, 2, 1))
        return next(c for c in rows if c.key == "referred")

    shown = referred(actors["viewer"])
    assert (shown.then, shown.now, shown.delta) == ("<5", 7, None)
    exact = referred(actors["researcher"])
    assert (exact.then, exact.now, exact.delta) == (1, 7, 6)
