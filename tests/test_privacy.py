"""Small-count suppression: a viewer cannot read a count of 1 to 4 of people, directly or by
difference."""

from datetime import date

from eet.figures import disclosure, privacy

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


# --- the rules beyond a single count (eet.figures.disclosure; issue 13 replaced the per-page rules
# of eet.privacy: a small change withholds the earlier date, nested steps are a chain, occupied and
# available are combined rather than blanked, a rate is a band) ------------------------------------

def test_small_changes_rates_nested_counts_and_occupied_for_viewers():
    # two dates: both exact with a change of 2 would give it back; the earlier one is withheld, and
    # the change with it ("<5" beside an earlier step of 27 would pin it)
    assert disclosure.two_dates(27, 29, True, 5) == (None, None)
    assert disclosure.two_dates(29, 27, True, 5) == (None, None)
    assert disclosure.two_dates(27, 32, True, 5) == (27, 5) and disclosure.two_dates(27, 27, True, 5) == (27, 0)
    assert disclosure.two_dates(27, 29, False, 5) == (27, 2) and disclosure.two_dates("<5", 29, True, 5) == ("<5", None)
    # a rate only between exact steps: 8 of 9 assessed names one person
    counts = {"referred": 9, "assessed": 8}
    assert disclosure.conversions(counts, disclosure.chain(counts, ("referred", "assessed"), hide=True, limit=5),
                                  ("referred", "assessed")) == {"assessed": None}
    assert disclosure.conversions({"a": 20, "b": 10}, {"a": 20, "b": 10}, ("a", "b")) == {"b": 0.5}
    # housed 7 next to housed now 3 (or 6) would give back the exits
    shown = disclosure.funnel({"referred": 20, "assessed": 20, "eligible": 20, "matched": 20, "housed": 7,
                               "housed_now": 6, "withdrawn": 0}, True, 5)
    assert shown["housed"] == 7 and shown["housed_now"] is None and shown["referred"] == 20
    shown = disclosure.funnel({"referred": 20, "assessed": 20, "eligible": 20, "matched": 20, "housed": 12,
                               "housed_now": 6, "withdrawn": 0}, True, 5)
    assert shown["housed_now"] == 6
    # occupied is people; where it is small it stands only in its sum with available
    rows = disclosure.dwelling_rows({None: {"counter": 30, "location_found": 20, "available": 7, "occupied": 3}},
                                    True, total_split=False, limit=5)
    assert rows[None] == {"counter": 30, "location_found": 20, "available": disclosure.COMBINED,
                          "occupied": disclosure.COMBINED, "in_use": 10}


def test_breakdown_hides_a_second_cell_when_the_total_gives_back_the_first():
    rows = {"Houten": {"occupied": 3, "available": 2}, "Utrecht": {"occupied": 40, "available": 5},
            "Zeist": {"occupied": 9, "available": 1}}
    shown = disclosure.dwelling_rows(rows, True, limit=5)
    assert shown["Houten"]["occupied"] == disclosure.COMBINED and shown["Houten"]["in_use"] == 5
    assert shown["Zeist"]["occupied"] == disclosure.COMBINED  # the smallest shown joins it: 3 + 9
    assert shown["Utrecht"] == {**rows["Utrecht"], "in_use": 45}
    assert disclosure.dwelling_rows(rows, False)["Houten"] == {"occupied": 3, "available": 2, "in_use": 5}


def test_histogram_buckets_merge_until_each_reaches_the_threshold():
    buckets = [(0, 2), (30, 1), (60, 6), (90, 3), (120, 1)]
    # 2 + 1 + 6 = 9 for days 0-89; 3 + 1 at the end is small and joins the bucket before it
    assert privacy.merge_buckets(buckets, 30, True) == [(0, 149, 13)]
    assert privacy.merge_buckets([(0, 2), (30, 1)], 30, True) == [(0, 59, "<5")]
    merged = privacy.merge_buckets(buckets, 30, True)
    assert all(n == 0 or (isinstance(n, int) and n >= 5) for _, _, n in merged), merged
    assert privacy.merge_buckets(buckets, 30, False)[0] == (0, 29, 2)


def test_occupied_is_combined_everywhere_where_it_would_give_back_housed_now():
    # 86 housed, 84 live there now (withheld: 2 left), 84 occupied would say it again
    raw = {"referred": 120, "assessed": 120, "eligible": 120, "matched": 110, "housed": 86, "housed_now": 84}
    assert disclosure.occupied_off(raw, 84, disclosure.funnel({**raw, "withdrawn": 0}, True, 5), True, 5)
    raw_far = {**raw, "housed_now": 70}
    assert disclosure.occupied_off(raw_far, 84, disclosure.funnel({**raw_far, "withdrawn": 0}, True, 5), True, 5)
    assert not disclosure.occupied_off(raw_far, 70, disclosure.funnel({**raw_far, "withdrawn": 0}, True, 5), True, 5)
    assert not disclosure.occupied_off(raw, 84, raw, False, 5)
    rows = {"Utrecht": {"occupied": 40, "available": 5}, "Zeist": {"occupied": 44, "available": 1}}
    shown = disclosure.dwelling_rows(rows, True, all_combined=True, limit=5)
    assert all(row["occupied"] == row["available"] == disclosure.COMBINED for row in shown.values())
