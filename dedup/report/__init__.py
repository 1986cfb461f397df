"""Rendering results for people and programs: terminal, JSON, CSV, Markdown."""
