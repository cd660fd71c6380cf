"""Instructor tooling that is not part of grading (building the release)."""
