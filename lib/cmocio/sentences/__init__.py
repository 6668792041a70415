"""Sentences about findings, for every page: one room, one module a page."""
