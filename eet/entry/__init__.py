"""Data entry: the input models and their rules, the one service layer every write goes through
(forms, imports, command line, demo), and the reading of coordinators' files and templates."""
