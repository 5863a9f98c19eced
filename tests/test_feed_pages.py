"""The tokens of the data feed on the pages (issue 27): a person makes one on the account page,
sees it once, and can revoke it; the admin sees and revokes every account's on Beheer."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from eet.accounts.access import Actor
from eet.store.engine import get_engine
from eet.store.models import AccessToken, User
from tests.conftest import open_page

pytestmark = pytest.mark.usefixtures("entry_script_every_run")


def _actor(url: str, name: str) -> Actor:
    with Session(get_engine(url)) as s:
        u = s.exec(select(User).where(User.username == name)).one()
        return Actor(u.username, u.role, u.organisation_id, u.id)


def test_a_person_makes_a_token_sees_it_once_and_revokes_it(demo_url):
    at = open_page("pages/account.py", _actor(demo_url, "stuurgroep"), "2021-05-31")
    at.text_input(key="my_name").input("Power BI")
    at.button[0].click().run()
    shown = [c.value for c in at.code]
    assert len(shown) == 1 and shown[0].startswith("eet_")
    with Session(get_engine(demo_url)) as s:
        row = s.exec(select(AccessToken)).one()
    assert row.name == "Power BI" and shown[0] not in row.token_hash
    assert "Power BI" in at.dataframe[0].value.to_string()
    at.run()
    assert not at.code  # once
    at.button[1].click().run()  # revoke
    with Session(get_engine(demo_url)) as s:
        assert s.exec(select(AccessToken)).one().revoked_at is not None


def test_the_admin_manages_every_accounts_tokens_on_beheer(demo_url):
    at = open_page("pages/account.py", _actor(demo_url, "onderzoeker"), "2021-05-31")
    at.text_input(key="my_name").input("R-script")
    at.button[0].click().run()
    admin = open_page("pages/admin.py", _actor(demo_url, "beheerder"), "2021-05-31")
    tables = [df.value.to_string() for df in admin.dataframe]
    assert any("R-script" in table and "onderzoeker" in table for table in tables)
    admin.selectbox(key="tk_user").set_value("coordinator.utrecht")
    admin.text_input(key="tk_name").input("Excel Utrecht")
    next(b for b in admin.button if b.label == "Token maken").click().run()
    assert [c.value for c in admin.code][0].startswith("eet_")
    with Session(get_engine(demo_url)) as s:
        names = {(t.name, s.get(User, t.user_id).username) for t in s.exec(select(AccessToken)).all()}
    assert ("Excel Utrecht", "coordinator.utrecht") in names
