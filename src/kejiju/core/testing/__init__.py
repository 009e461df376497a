"""Test helpers every module reuses: factories and the four-actor permission matrix."""
