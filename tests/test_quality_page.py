"""The data-quality page through AppTest (issue 16): a coordinator sees their own stuck records and
signs off a month (after which the service layer refuses a write in it); the admin sees every
organisation, reopens the month and sets a threshold; a viewer is turned away."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from eet.accounts.access import SYSTEM, Actor
from eet.bootstrap import initialise
from eet.entry import services
from eet.entry.schemas import ParticipantIn, RuleError
from eet.quality import settings, signoff
from eet.store.engine import get_engine
from eet.store.models import Organisation

APP = Path(__file__).resolve().parent.parent / "dashboard.py"
pytestmark = pytest.mark.usefixtures("entry_script_every_run")


@pytest.fixture()
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'eet.db'}"
    monkeypatch.setenv("EET_DATABASE_URL", url)
    engine = get_engine(url)
    initialise(engine)
    with Session(engine) as session:
        services.register_participant(session, SYSTEM, ParticipantIn(
            code="P-UTR", referrer="Stadsteam Back Up", municipality="Utrecht", referred_on="2021-01-04"))
        services.register_participant(session, SYSTEM, ParticipantIn(
            code="P-ZST", referrer="Stadsteam Back Up", municipality="Zeist", referred_on="2021-01-04"))
        session.commit()
    yield url
    engine.dispose()


def _utrecht(url) -> int:
    with Session(get_engine(url)) as session:
        return session.exec(select(Organisation).where(Organisation.name == "Utrecht")).one().id


def open_page(actor: Actor) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["actor"] = actor
    at.query_params["as_of"] = "2021-06-30"
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/quality.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _cells(at, key):
    return [df.value for df in at.dataframe if key in df.value.columns]


def test_a_coordinator_sees_their_own_stuck_records_and_signs_off_a_month(url):
    coordinator = Actor("coord", "coordinator", organisation_id=_utrecht(url))
    at = open_page(coordinator)
    stuck = _cells(at, "Code or ref")
    assert [list(df["Code or ref"]) for df in stuck] == [["P-UTR"]]  # not Zeist's participant
    assert at.selectbox(key="so_month").options[-1] == "January 2021"  # from the launch, as the language names it
    at.selectbox(key="so_month").set_value("2021-01")
    month = "2021-01"
    at.button[[b.label for b in at.button].index("Sign off the month")].click().run()
    assert not at.exception
    assert "January 2021" in list(_cells(at, "Signed off by")[0]["Month"])
    with Session(get_engine(url)) as session:
        with pytest.raises(RuleError, match="signed off for Utrecht"):
            services.register_participant(session, coordinator, ParticipantIn(
                code="P-NEW", referrer="Stadsteam Back Up", municipality="Utrecht", referred_on=f"{month}-15"))


def test_the_admin_reopens_a_month_and_sets_a_threshold(url):
    with Session(get_engine(url)) as session:
        signoff.sign_off(session, SYSTEM, "2021-03", organisation_id=_utrecht(url))
        session.commit()
    admin = Actor("admin", "admin")
    at = open_page(admin)
    assert "Utrecht" in list(_cells(at, "Signed off by")[0]["Organisation"])
    assert _cells(at, "Share in time")  # every organisation's row
    at.button[[b.label for b in at.button].index("Reopen the month")].click().run()
    assert not at.exception
    with Session(get_engine(url)) as session:
        assert signoff.signed_off(session) == []
    at.number_input(key="th_quality.referral_to_assessment_days").set_value(400)
    at.button[[b.label for b in at.button].index("Save")].click().run()
    assert not at.exception
    with Session(get_engine(url)) as session:
        assert settings.thresholds(session)["quality.referral_to_assessment_days"] == 400


def test_a_viewer_is_told_the_page_is_not_for_their_role_and_turned_away_at_its_file(url):
    at = open_page(Actor("view", "viewer"))  # every page is known to the navigation (a link works)
    assert [w.value for w in at.warning] == ["This page is not available to your role (viewer)."]
    assert not at.dataframe
    at = AppTest.from_file(str(APP.parent / "pages" / "quality.py"), default_timeout=90)
    at.session_state["actor"] = Actor("view", "viewer")
    at.query_params["lang"] = "en"
    at.run()
    assert at.warning and not at.dataframe
