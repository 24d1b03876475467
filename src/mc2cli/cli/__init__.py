"""The command line: parses arguments, calls the core, prints; the only part that prints."""
