"""The service layer: the one place edges (CLI, web, API, workers) go through to load
protocols, read timelines and assess patients. It may do I/O; the protocol core may not."""
