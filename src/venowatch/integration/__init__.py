"""The integration domain's data: the EHRs trusted to call the CDS services (a Django app)."""
