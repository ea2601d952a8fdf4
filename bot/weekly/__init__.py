"""The Weekly: agenda items, the call for items, the agenda thread, claims and decisions."""
