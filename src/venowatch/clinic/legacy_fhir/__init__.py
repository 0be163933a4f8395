"""Migrations only: see apps.py."""
