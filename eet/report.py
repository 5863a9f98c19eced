"""`eet.report.build_report(session, as_of)` as analysts' scripts know it (spec/interfaces.md,
"Python API"); the report lives in `eet.figures.report`."""

from eet.figures.report import build_report, to_text, to_json

__all__ = ["build_report", "to_text", "to_json"]
