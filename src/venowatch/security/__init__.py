"""The security domain's data: API tokens and idempotent requests (a Django app)."""
