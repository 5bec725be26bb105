"""Evaluating: the extraction scored against hand-written gold annotations (scores)."""
