"""Rendering results for people and for other programs (terminal, JSON, CSV, Markdown)."""
