"""Tables. Every row carries the Slack workspace (`team_id`); times are UTC."""

from __future__ import annotations

from datetime import date, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime, utc_now

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# slack_sdk's OAuth stores define their own tables; registering them on our metadata lets
# Alembic create and keep them instead of autogenerate proposing to drop them.
SLACK_INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, "slack_installations"
)
SLACK_BOTS_TABLE = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
SLACK_OAUTH_STATES_TABLE = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)


class ProcessedEvent(Base):
    """Slack retries an event up to three times; this row makes the second delivery a no-op."""

    __tablename__ = "processed_events"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


class Channel(Base):
    """A channel Redthread works in, with its Daily settings (None means the default)."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", name="uq_channels_team_channel"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    daily_weekdays: Mapped[str] = mapped_column(String(20), default="0,3")
    daily_prompt_time: Mapped[str] = mapped_column(String(5), default="09:00")
    daily_reminder_time: Mapped[str] = mapped_column(String(5), default="11:00")
    daily_summary_time: Mapped[str] = mapped_column(String(5), default="12:00")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Member(Base):
    """Cached users.info answers: locale for ephemeral texts, names for summaries."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_members_team_user"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str | None] = mapped_column(String(16))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Daily(Base):
    """One Daily per channel per local date: the unique row that makes prompting idempotent."""

    __tablename__ = "dailies"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "local_date", name="uq_dailies_channel_date"),
        Index("ix_dailies_prompt_ts", "team_id", "channel_id", "prompt_ts"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    prompt_ts: Mapped[str | None] = mapped_column(String(32))
    # A claim with a time lets another clock take over a prompt whose poster died mid-way.
    prompt_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary_ts: Mapped[str | None] = mapped_column(String(32))
    summary_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class DailyUpdate(Base):
    __tablename__ = "daily_updates"
    __table_args__ = (UniqueConstraint("daily_id", "user_id", name="uq_daily_updates_user"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    daily_id: Mapped[int] = mapped_column(ForeignKey("dailies.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    plan: Mapped[str | None] = mapped_column(Text)
    highlight: Mapped[str | None] = mapped_column(Text)
    impediment: Mapped[str | None] = mapped_column(Text)
    # The bot's reply that shows this update; edited in place on resubmission.
    posted_ts: Mapped[str | None] = mapped_column(String(32))
    # Taken before posting that reply, so two quick submissions cannot both post one.
    post_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The member's own thread reply, when they answered that way.
    reply_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class DailyReminder(Base):
    """Who was reminded for a Daily: one gentle reminder, never a second."""

    __tablename__ = "daily_reminders"
    __table_args__ = (UniqueConstraint("daily_id", "user_id", name="uq_daily_reminders_user"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    daily_id: Mapped[int] = mapped_column(ForeignKey("dailies.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Absence(Base):
    """`/daily away` (every channel) or `/daily skip` (one channel's Daily of one day)."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_team_user", "team_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))  # "away" | "skip"
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class ScheduledRun(Base):
    """A scheduled job's occurrence that some clock has claimed: two clocks, one post."""

    __tablename__ = "scheduled_runs"
    __table_args__ = (
        UniqueConstraint(
            "team_id", "channel_id", "job", "occurrence_date", name="uq_scheduled_runs_occurrence"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    job: Mapped[str] = mapped_column(String(32))
    occurrence_date: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


# --- Weekly ---


# --- Prospect radar ---
