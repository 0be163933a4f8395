"""CDS Hooks 2.0: an EHR asks, on opening a patient's chart, what the clinic's protocol says now."""
