"""Turning a deal and a library into one contract: positions, parameters, numbering, text."""
