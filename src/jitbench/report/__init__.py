"""Presenting analyses: terminal tables, Markdown findings, JSON. Numbers are never computed here."""
