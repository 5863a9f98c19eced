"""Accounts and access: roles and what each may read and write (`access`), sign-in (`auth`), and
the programme lead's administration of partners, targets and accounts (`administration`)."""
