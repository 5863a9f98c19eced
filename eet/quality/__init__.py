"""Data quality per organisation (issue 16): records that look stuck (`stuck`), completeness and
timeliness (`timeliness`), the admin's thresholds (`settings`) and the monthly sign-off (`signoff`)."""
