"""Team insight (issue #11): team figures from the stored history, never about one person."""
