"""Whether a Slack status means someone is away (pure)."""

from __future__ import annotations

# Slack's built-in "Vacationing" and "Out sick" statuses, and what people type instead.
AWAY_STATUS_EMOJI = frozenset({":palm_tree:", ":face_with_thermometer:", ":beach_with_umbrella:"})
AWAY_STATUS_WORDS = (
    "vacation",
    "holiday",
    "out of office",
    "ooo",
    "sick",
    "parental leave",
    "urlaub",
    "krank",
    "abwesend",
    "elternzeit",
    "feiertag",
)


def status_means_away(emoji: str, text: str, expires_at: int, now_timestamp: float) -> bool:
    """A Slack status like "Vacationing" counts as away: no reminder, shown as away."""
    if expires_at and expires_at <= now_timestamp:
        return False
    lowered = text.casefold()
    words = set(lowered.replace(",", " ").replace(".", " ").split())
    return emoji in AWAY_STATUS_EMOJI or any(
        (word in words) if " " not in word else (word in lowered) for word in AWAY_STATUS_WORDS
    )
