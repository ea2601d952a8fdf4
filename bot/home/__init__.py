"""The App Home tab: a person's week in one published view."""
