"""Outcome figures: how patients fare after a venoplasty, from facts replayed from the records.

`episodes` (pure) turns a timeline into episode facts through the engine's replay; `facts`
stores them and recomputes the stale ones; `figures` (pure) computes the curves and tables;
`charts` draws them; `export` writes them de-identified."""
