"""Alembic revision scripts (a package so that they ship inside jitbench)."""
