"""Emitters: IR -> Python source text (unformatted; ``codegen.output`` runs ruff format)."""
