"""Data entry: the input models and their rules (`schemas`, `vocabulary`), the one write layer every
door goes through (`services` with `state`, `route` and `writecache`), the data-entry pages' reads and
edits (`data_entry`), the living lab's registers (`living_lab`), and the reading of coordinators'
files (`imports`, `tabular`, `spreadsheet`, `upload_templates`, `organisations`).

The input models and their refusals are exported here.
"""

from eet.entry.schemas import DwellingIn, EventIn, FieldError, ParticipantIn, RuleError, StatusChangeIn

__all__ = ["DwellingIn", "EventIn", "FieldError", "ParticipantIn", "RuleError", "StatusChangeIn"]
