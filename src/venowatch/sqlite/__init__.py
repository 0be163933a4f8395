"""The SQLite database backend venowatch uses: Django's, with the file kept private."""
