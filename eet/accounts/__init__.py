"""Accounts and access: the roles and what each may read and write (`access`, exported here), sign-in
(`auth`), and the programme lead's administration of partners, targets and accounts
(`administration`)."""

from eet.accounts.access import (
    SYSTEM, AccessDenied, Actor, can_read_rows, require_org, require_role, row_scope, sees_suppressed_counts,
)

__all__ = ["SYSTEM", "AccessDenied", "Actor", "can_read_rows", "require_org", "require_role", "row_scope",
           "sees_suppressed_counts"]
