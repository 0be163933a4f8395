"""The audit log: who read, changed or was refused which patient's record, when and from where;
append-only and hash-chained (services.security.audit writes it, `venowatch audit verify`
checks it)."""
