"""An import tells a coordinator nothing about another organisation's codes (issue 25: the
measurement import answered "not yours" for another organisation's participant and "no participant"
for an unknown code, so a coordinator could list which codes exist elsewhere). The step import and
the measurement import answer both alike; the admin still hears of a code that does not exist."""

from __future__ import annotations

from sqlmodel import Session, select

from eet.accounts.access import Actor
from eet.entry.imports import import_file
from eet.store.models import Organisation
from import_helpers import load_base, write_csv


def _coordinator_of(engine, name: str) -> Actor:
    with Session(engine) as s:
        org = s.exec(select(Organisation).where(Organisation.name == name)).one()
    return Actor(f"coordinator-{name}", "coordinator", organisation_id=org.id)


def _answers(engine, tmp_path, kind: str, head: list, row_of, actor: Actor) -> list[str]:
    """The error of one row per code: P-0002 (Kwintes's participant) and P-9999 (nobody's)."""
    answers = []
    for code in ("P-0002", "P-9999"):
        path = write_csv(tmp_path / f"{kind}-{code}.csv", [head, row_of(code)])
        result = import_file(engine, kind, path, actor=actor)
        answers.append([str(e).replace(code, "CODE") for e in result.errors])
    return answers


def test_measurements_answer_alike_for_another_organisations_code_and_an_unknown_one(engine, tmp_path):
    load_base(engine, tmp_path)
    lister = _coordinator_of(engine, "Lister")  # care provider of P-0001, not of P-0002
    other, unknown = _answers(engine, tmp_path, "measurements", ["code", "datum", "financien"],
                              lambda code: [code, "2021-03-01", "3"], lister)
    assert other == unknown and len(unknown) == 1 and "CODE" in unknown[0]


def test_steps_answer_alike_for_another_organisations_code_and_an_unknown_one(engine, tmp_path):
    load_base(engine, tmp_path)
    lister = _coordinator_of(engine, "Lister")
    other, unknown = _answers(engine, tmp_path, "events", ["code", "event", "date", "outcome"],
                              lambda code: [code, "assessed", "2021-03-01", "eligible"], lister)
    assert other == unknown and len(unknown) == 1 and "CODE" in unknown[0]


def test_a_steps_dwelling_answers_alike_for_another_organisations_ref_and_an_unknown_one(engine, tmp_path):
    """The attack on the fix (issue 25): the dwelling of a match told 'not yours' for another
    organisation's ref and 'no dwelling' for an unknown one."""
    load_base(engine, tmp_path)
    lister = _coordinator_of(engine, "Lister")  # P-0001's care provider; UTR-0001 is Mitros's, in Utrecht
    answers = []
    for ref in ("UTR-0001", "UTR-9999"):
        path = write_csv(tmp_path / f"match-{ref}.csv", [["code", "event", "date", "dwelling_ref"],
                                                         ["P-0001", "matched", "2021-03-01", ref]])
        result = import_file(engine, "events", path, actor=lister)
        answers.append([str(e).replace(ref, "REF") for e in result.errors])
    assert answers[0] == answers[1] and len(answers[1]) == 1 and "REF" in answers[1][0]
