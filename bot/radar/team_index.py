"""Each team's radar entries and their `CompanyIndex`, cached per process and kept fresh.

Building an index normalises every stored name, so it is built once and reused while the
team's `radar_versions` row stays the same. Every radar write bumps that number in its own
transaction, so a change made by another web worker or by `python -m bot forget` in another
process is seen on the next use here: the check is one primary-key read per use.

A snapshot is never changed after it is built (a new version builds a new one), so threads
share it without locks. The cache is keyed by the engine, so two runtimes (tests, a restart in
one process) never see each other's data.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from bot.radar.index import CompanyIndex, Mention
from bot.runtime import Runtime
from storage import radar as store
from storage.db import transaction

Kind = Literal["prospect", "contact"]
EntryKey = tuple[Kind, int]


@dataclass(frozen=True)
class Entry:
    """One announcement (`prospect`) or known contact, as the radar sees it."""

    kind: Kind
    row_id: int
    user_id: str
    company: str
    contact: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    announced_at: datetime | None = None
    private: bool = False  # announced in a private channel

    @property
    def key(self) -> EntryKey:
        return (self.kind, self.row_id)

    def visible_in(self, channel_id: str) -> bool:
        """A private channel's announcement is shown (flagged, listed) only in that channel."""
        return not self.private or self.channel_id == channel_id

    @property
    def subject(self) -> str:
        """What a flag row names, so one entry is flagged once per thread."""
        return f"{self.kind}:{self.row_id}"


@dataclass(frozen=True)
class TeamRadar:
    version: int
    entries: dict[EntryKey, Entry]
    index: CompanyIndex[EntryKey] = field(repr=False)

    def same_company(self, name: str) -> list[Entry]:
        """Every entry naming the company `name` names, in the order they were stored."""
        keys = set(self.index.lookup(name))
        return [entry for key, entry in self.entries.items() if key in keys]

    def mentioned_in(self, text: str) -> list[tuple[Mention[EntryKey], Entry]]:
        """The entries whose company the text names, in the order the text names them."""
        if not self.entries:
            return []
        mentions = sorted(self.index.scan(text), key=lambda found: found.start)
        return [(found, self.entries[found.key]) for found in mentions if found.key in self.entries]


class _TeamCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._radars: dict[str, TeamRadar] = {}

    def get(self, team_id: str) -> TeamRadar | None:
        with self._lock:
            return self._radars.get(team_id)

    def offer(self, team_id: str, radar: TeamRadar) -> None:
        """Keep the newest snapshot when two threads rebuilt at the same time."""
        with self._lock:
            current = self._radars.get(team_id)
            if current is None or current.version <= radar.version:
                self._radars[team_id] = radar


_caches: WeakKeyDictionary[Engine, _TeamCache] = WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache_for(engine: Engine) -> _TeamCache:
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = _TeamCache()
        return cache


def team_radar(runtime: Runtime, team_id: str) -> TeamRadar:
    """The team's current entries and index, rebuilt only when some write bumped the version.

    The version is read before the rows: a write that lands in between makes the snapshot
    newer than its version says, which costs one extra rebuild, never a stale answer.
    """
    cache = _cache_for(runtime.engine)
    cached = cache.get(team_id)
    with transaction(runtime.sessions) as session:
        version = store.radar_version(session, team_id)
        if cached is not None and cached.version == version:
            return cached
        entries = [
            *(
                Entry(
                    kind="prospect",
                    row_id=row.id,
                    user_id=row.user_id,
                    company=row.company,
                    channel_id=row.channel_id,
                    message_ts=row.message_ts,
                    announced_at=row.announced_at,
                    private=row.private,
                )
                for row in store.announcements(session, team_id)
            ),
            *(
                Entry(
                    kind="contact",
                    row_id=row.id,
                    user_id=row.user_id,
                    company=row.company,
                    contact=row.contact,
                )
                for row in store.contacts(session, team_id)
            ),
        ]
    radar = build_radar(version, entries)
    cache.offer(team_id, radar)
    return radar


def build_radar(version: int, entries: Iterable[Entry]) -> TeamRadar:
    by_key = {entry.key: entry for entry in entries}
    index = CompanyIndex((key, entry.company) for key, entry in by_key.items())
    return TeamRadar(version=version, entries=by_key, index=index)


def group_by_company(radar: TeamRadar, entries: Iterable[Entry]) -> list[list[Entry]]:
    """Entries in groups naming the same company (as the matcher decides), first-seen order.

    Lookups of a name return entries the matcher takes as the same company; grouping follows
    those links transitively so a group is shown once even when spellings differ.
    """
    wanted = list(entries)
    position = {entry.key: number for number, entry in enumerate(wanted)}
    parent = list(range(len(wanted)))

    def root(number: int) -> int:
        while parent[number] != number:
            parent[number] = parent[parent[number]]
            number = parent[number]
        return number

    for number, entry in enumerate(wanted):
        for key in radar.index.lookup(entry.company):
            other = position.get(key)
            if other is not None:
                parent[root(other)] = root(number)
    groups: dict[int, list[Entry]] = {}
    for number, entry in enumerate(wanted):
        groups.setdefault(root(number), []).append(entry)
    return list(groups.values())
