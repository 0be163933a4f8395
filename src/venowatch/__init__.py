"""venowatch: follow-up after venoplasty, by the clinic's restenosis guidance."""

__version__ = "0.1.0"
