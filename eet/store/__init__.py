"""The system of record: settings, the database engine, the tables and their migrations, the audit
trail with the data version, backups, and the coalition every database starts with."""
