"""Which workspaces Redthread works for, and erasing one.

A workspace stops when Slack reports the app uninstalled or its bot token revoked: a row in
`stopped_workspaces` says so, and the clock, the inbox and `Runtime.client_for` leave it alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.orm import Session

from storage.models import SLACK_BOTS_TABLE, Base, RadarVersion, StoppedWorkspace
from storage.plain import PlainSql, run_plain
from storage.types import utc_now

UNINSTALLED = "app_uninstalled"
TOKEN_REVOKED = "tokens_revoked"
# Kept when a workspace is erased: the radar's version only ever grows, so no process's
# cached index of the erased data can look current again (bot/radar/team_index.py).
KEPT_WHEN_ERASED = frozenset({RadarVersion.__tablename__})


def token_digest(token: str | None) -> str | None:
    """What is kept of a revoked token: enough to tell it from the next one, never the token."""
    return hashlib.sha256(token.encode()).hexdigest() if token else None


def stop(session: Session, team_id: str, reason: str, digest: str | None) -> None:
    """Mark the workspace stopped; `digest` is the single token that was revoked, if any."""
    session.merge(
        StoppedWorkspace(team_id=team_id, reason=reason, token_digest=digest, stopped_at=utc_now())
    )


def lift(connection: Connection | Session, team_id: str) -> None:
    connection.execute(delete(StoppedWorkspace).where(StoppedWorkspace.team_id == team_id))


def _holds(mark_digest: str | None, digest: str | None) -> bool:
    # A mark naming a revoked token holds only while that token is still the one in use.
    return mark_digest is None or mark_digest == digest


_STOP_MARK = PlainSql.of("SELECT token_digest FROM stopped_workspaces WHERE team_id = :team_id")


def is_stopped(engine: Engine, team_id: str, digest: str | None) -> bool:
    """One read on the driver (`storage.plain`): the clock asks before each of its runs."""
    rows = run_plain(engine, _STOP_MARK, {"team_id": team_id}, writes=False)
    return bool(rows) and _holds(rows[0][0], digest)


def stopped_teams(session: Session, digest: str | None) -> set[str]:
    rows = session.execute(select(StoppedWorkspace.team_id, StoppedWorkspace.token_digest))
    return {team for team, mark_digest in rows if _holds(mark_digest, digest)}


def installed_teams(session: Session) -> set[str]:
    """Workspaces with a bot token from an OAuth install (multi-workspace mode)."""
    rows = session.scalars(
        select(SLACK_BOTS_TABLE.c.team_id).where(SLACK_BOTS_TABLE.c.bot_token.is_not(None))
    )
    return {str(team) for team in rows if team}


def served(session: Session, digest: str | None, *, oauth: bool) -> Callable[[str], bool]:
    """Whether Redthread works for a workspace: not stopped and, with OAuth installs, installed
    (a database carried over from a single token has workspaces that never installed)."""
    gone = stopped_teams(session, digest)
    installed = installed_teams(session) if oauth else None
    return lambda team: team not in gone and (installed is None or team in installed)


def erase_team(session: Session, team_id: str) -> dict[str, int]:
    """Delete every row of the workspace, its tokens included; rows deleted per table."""
    counts: dict[str, int] = {}
    # Children before their parents, so foreign keys hold at every statement.
    for table in reversed(Base.metadata.sorted_tables):
        if "team_id" not in table.c or table.name in KEPT_WHEN_ERASED:
            continue
        result = session.execute(delete(table).where(table.c.team_id == team_id))
        if count := int(getattr(result, "rowcount", 0) or 0):
            counts[table.name] = count
    return counts


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, on our tables; a new install lifts the workspace's stop."""

    def save(self, installation: Installation) -> None:
        super().save(installation)
        if installation.team_id:
            with self.engine.begin() as connection:
                lift(connection, installation.team_id)
