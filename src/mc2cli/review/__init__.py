"""Comparing and reporting: diffs between deals or revisions, redlines, reports."""
