"""Who may do what: accounts, roles, sign-in sessions, API keys and the audit
trail; the FastAPI dependencies that name the caller; the sign-in and admin pages
and the coordinator pages' shell."""
