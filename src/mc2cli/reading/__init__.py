"""Reading documents that others wrote: returned contracts (ingest) and their own paper (analyze)."""
