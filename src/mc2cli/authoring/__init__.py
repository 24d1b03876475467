"""Helping people write deals and libraries: catalog, JSON Schema, starter deals."""
