"""venowatch: follow-up after venoplasty."""
