"""Sign-ins and refused sign-ins of known accounts are in the audit trail, without clearing the
cache of figures (no data changed)."""

from sqlmodel import Session, select

from eet.accounts.access import SYSTEM
from eet.store.audit import data_version
from eet.accounts.auth import add_user, authenticate
from eet.store.models import AuditRecord


def test_sign_in_attempts_are_audited_and_change_no_data(engine):
    with Session(engine) as session:
        add_user(session, SYSTEM, "anna", "a-long-secret-1", "researcher")
        session.commit()
        version = data_version(session)
    with Session(engine) as session:
        assert authenticate(session, "anna", "wrong") is None
        assert authenticate(session, "anna", "a-long-secret-1").username == "anna"
        assert authenticate(session, "nobody", "whatever") is None
        session.commit()
    with Session(engine) as session:
        rows = session.exec(select(AuditRecord.actor, AuditRecord.action)
                            .where(AuditRecord.entity == "user", AuditRecord.action.like("sign_in%"))
                            .order_by(AuditRecord.id)).all()
        assert [tuple(r) for r in rows] == [("anna", "sign_in_failed"), ("anna", "sign_in")]
        assert data_version(session) == version
