"""The upload page after "Bevestigen en opslaan" (issue 14): only the outcome stays. The preview's
"Er is nog niets opgeslagen" and the confirm button go; a new check brings the preview back."""

from __future__ import annotations

from eet.store.models import Dwelling
from test_forms import actor, count, db, page  # noqa: F401  (fixture)
from test_upload_page import GOOD


def test_after_confirming_only_saved_is_shown(db):
    at = page("pages/upload.py", actor(db, "coordinator"))
    before = count(db, Dwelling)
    at.file_uploader(key="up_file_dwellings").set_value(("lijst.csv", GOOD, "text/csv")).run()
    at.button(key="up_check").click().run()
    assert any("Er is nog niets opgeslagen" in s.value for s in at.success)
    assert [b for b in at.button if b.key == "up_confirm"]
    at.button(key="up_confirm").click().run()
    assert not at.exception
    texts = [s.value for s in at.success]
    assert len(texts) == 1 and texts[0].startswith("Opgeslagen: 1 nieuw, 1 gewijzigd"), texts
    assert not any("nog niets opgeslagen" in s.value for s in [*at.success, *at.info, *at.warning])
    assert not [b for b in at.button if b.key == "up_confirm"]  # nothing left to confirm
    assert count(db, Dwelling) == before + 1
    # The outcome stays on the next run (another widget touched) ...
    at.run()
    assert [s.value for s in at.success] == texts and not [b for b in at.button if b.key == "up_confirm"]
    # ... and a new check of the same list shows a fresh preview: now nothing new, nothing saved yet.
    at.button(key="up_check").click().run()
    assert any("0 nieuw" in s.value and "nog niets opgeslagen" in s.value for s in at.success)
    assert not any(s.value.startswith("Opgeslagen") for s in at.success)
