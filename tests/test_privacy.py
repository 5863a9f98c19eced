"""Small-count suppression: a viewer cannot read a count of 1 to 4 of people, directly or by
difference."""

from datetime import date

from eet.figures import privacy

from eet.entry import services
from eet.accounts.access import SYSTEM
from eet.figures.progress import changes_since
from eet.entry.schemas import ParticipantIn


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


# --- the rules beyond a single count (eet.privacy rules 1-4) -------------------------------------

def test_small_changes_rates_nested_counts_and_occupied_for_viewers():
    assert privacy.delta(27, 29, True) == "<5" and privacy.delta(29, 27, True) == "<5"
    assert privacy.delta(27, 32, True) == 5 and privacy.delta(27, 27, True) == 0
    assert privacy.delta(27, 29, False) == 2 and privacy.delta("<5", 29, True) is None
    assert privacy.rate(8, 9, True) is None  # one person not assessed
    assert privacy.rate(4, 5, True) is None  # retention over 5 with one negative exit
    assert privacy.rate(3, 20, True) is None and privacy.rate(10, 20, True) == 0.5
    assert privacy.rate(8, 9, False) == 8 / 9 and privacy.rate(0, 0, True) is None
    # housed 7 next to housed now 3 (or 6) would give back the exits
    assert privacy.funnel({"housed": 7, "housed_now": 3}, True) == {"housed": 7, "housed_now": None}
    assert privacy.funnel({"housed": 7, "housed_now": 6}, True)["housed_now"] is None
    assert privacy.funnel({"housed": 12, "housed_now": 6}, True)["housed_now"] == 6
    assert privacy.funnel({"housed": 3, "housed_now": 2}, True) == {"housed": "<5", "housed_now": "<5"}
    # occupied is people; available hidden with it, so counter - location_found - available fails
    split = privacy.dwelling_split({"counter": 30, "location_found": 20, "available": 7, "occupied": 3}, True)
    assert split == {"counter": 30, "location_found": 20, "available": None, "occupied": "<5"}


def test_breakdown_hides_a_second_cell_when_the_total_gives_back_the_first():
    rows = {"Houten": {"occupied": 3, "available": 2}, "Utrecht": {"occupied": 40, "available": 5},
            "Zeist": {"occupied": 9, "available": 1}}
    shown = privacy.dwelling_rows(rows, True)
    assert shown["Houten"] == {"occupied": "<5", "available": None}
    assert shown["Zeist"] == {"occupied": None, "available": None}  # the smallest shown joins it: 3 + 9
    assert shown["Utrecht"] == rows["Utrecht"]
    assert privacy.dwelling_rows(rows, False) == rows


def test_histogram_buckets_merge_until_each_reaches_the_threshold():
    buckets = [(0, 2), (30, 1), (60, 6), (90, 3), (120, 1)]
    # 2 + 1 + 6 = 9 for days 0-89; 3 + 1 at the end is small and joins the bucket before it
    assert privacy.merge_buckets(buckets, 30, True) == [(0, 149, 13)]
    assert privacy.merge_buckets([(0, 2), (30, 1)], 30, True) == [(0, 59, "<5")]
    merged = privacy.merge_buckets(buckets, 30, True)
    assert all(n == 0 or (isinstance(n, int) and n >= 5) for _, _, n in merged), merged
    assert privacy.merge_buckets(buckets, 30, False)[0] == (0, 29, 2)


def test_occupied_is_hidden_everywhere_where_it_would_give_back_housed_now():
    # 86 housed, 84 live there now (hidden: 2 left), 84 occupied would say it again
    assert privacy.occupied_hidden({"housed": 86, "housed_now": 84}, 84, True)
    assert privacy.occupied_hidden({"housed": 86, "housed_now": 70}, 84, True)  # 86 - 84 is small
    assert not privacy.occupied_hidden({"housed": 86, "housed_now": 70}, 70, True)
    assert not privacy.occupied_hidden({"housed": 86, "housed_now": 84}, 84, False)
    rows = {"Utrecht": {"occupied": 40, "available": 5}, "Zeist": {"occupied": 44, "available": 1}}
    assert privacy.dwelling_rows(rows, True, occupied_off=True) == {
        "Utrecht": {"occupied": None, "available": None}, "Zeist": {"occupied": None, "available": None}}
