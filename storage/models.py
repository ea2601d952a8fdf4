"""Tables. Every row carries the Slack workspace (`team_id`); times are UTC."""

from __future__ import annotations

from datetime import date, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
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


class InboxRequest(Base):
    """A Slack request stored before it is acknowledged, so that acknowledged work survives a
    crash: the process that acked it works it off, or any other one after `lease_until`.

    `request_key` is the event id for events, else a hash of the signed request, so a Slack
    retry or a replayed request finds its row taken and does nothing twice.
    """

    __tablename__ = "inbox_requests"
    __table_args__ = (
        UniqueConstraint("team_id", "request_key", name="uq_inbox_requests_key"),
        Index("ix_inbox_requests_pending", "done_at", "lease_until"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    request_key: Mapped[str] = mapped_column(String(80))
    listener: Mapped[str] = mapped_column(String(64))
    # Who acted: `forget --user` erases their requests too (bodies hold what they typed).
    user_id: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    # What Bolt knew besides the body (bot user id, enterprise); never a token.
    context: Mapped[str] = mapped_column(Text, default="{}")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "done", or "failed: <reason>" once no retry can help.
    outcome: Mapped[str | None] = mapped_column(String(80))


class RequestEffect(Base):
    """A row a Slack request created, by the request's key: working the same request off again
    (its process died after the commit, before the inbox marked it done) finds the row instead
    of creating a second one. Kept as long as the inbox keeps its finished requests."""

    __tablename__ = "request_effects"
    __table_args__ = (UniqueConstraint("team_id", "effect_key", name="uq_request_effects_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    # A digest of the request's key, the purpose and its count in the request: no person.
    effect_key: Mapped[str] = mapped_column(String(80))
    row_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


class SlackPost(Base):
    """One message the bot means to post once: the single post-once protocol's row.

    A poster takes a lease, posts with message metadata carrying `post_key`, and records `ts`
    only after Slack accepted. `uncertain` marks an attempt whose answer never came back: the
    next poster first looks for the key in the channel or thread before posting again.
    """

    __tablename__ = "slack_posts"
    __table_args__ = (UniqueConstraint("team_id", "post_key", name="uq_slack_posts_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    post_key: Mapped[str] = mapped_column(String(160))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


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
    # The Weekly: weekday (0 = Monday), meeting time, and the call for items' time on the
    # working day before.
    weekly_weekday: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weekly_time: Mapped[str] = mapped_column(String(5), default="10:00", server_default="10:00")
    weekly_call_time: Mapped[str] = mapped_column(
        String(5), default="15:00", server_default="15:00"
    )
    # The Weekly is scheduled in a channel once someone used `/weekly` (or its shortcut) there:
    # a channel that only holds Dailies gets no weekly posts.
    weekly_active: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The Daily is scheduled here ("on") from the moment the bot is added to the channel (or
    # `/daily on`, or its settings are saved); `/daily off` stops it ("off"). A channel known
    # only because someone used a command there has none ("none").
    daily_state: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    # Public holidays without a Daily: a region like "DE-BY"; "off" for none; None follows
    # the deployment's DEFAULT_HOLIDAY_REGION.
    holiday_region: Mapped[str | None] = mapped_column(String(16))
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
    summary_ts: Mapped[str | None] = mapped_column(String(32))
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


class DailyCancellation(Base):
    """`/daily cancel DATE`: no prompt, reminder or summary in this channel on that day."""

    __tablename__ = "daily_cancellations"
    __table_args__ = (
        UniqueConstraint(
            "team_id", "channel_id", "local_date", name="uq_daily_cancellations_channel_date"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
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
    # A run is a lease: a clock that dies mid-run lets another take it over after
    # `lease_until`; `done_at` is set only once the job finished (Slack accepted its posts).
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(200))


# --- Weekly ---


class Weekly(Base):
    """One Weekly per channel per meeting date: the unique row behind the call and the agenda."""

    __tablename__ = "weeklies"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "local_date", name="uq_weeklies_channel_date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    call_ts: Mapped[str | None] = mapped_column(String(32))
    # Posting the agenda: the moment its items were fixed, the parent message, and when every
    # item's reply was out (each post itself goes through `SlackPost`).
    agenda_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agenda_ts: Mapped[str | None] = mapped_column(String(32))
    agenda_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every change the parent shows bumps state_version; one process at a time re-renders
    # (render_claimed_at) until what it showed is the latest version.
    state_version: Mapped[int] = mapped_column(Integer, default=0)
    render_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class WeeklyItem(Base):
    """A point for the agenda; `weekly_id` is the first Weekly that took it (None: a draft)."""

    __tablename__ = "weekly_items"
    __table_args__ = (
        UniqueConstraint("daily_update_id", name="uq_weekly_items_daily_update_id"),
        Index("ix_weekly_items_channel", "team_id", "channel_id", "weekly_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8))  # "command" | "message" | "daily"
    link: Mapped[str | None] = mapped_column(String(500))
    # Who wrote the message an item was made of (the shortcut): `text` holds their words, not
    # the author's, so `forget` erases them from here too.
    source_user_id: Mapped[str | None] = mapped_column(String(32))
    # The Daily update an impediment came from: one item per update, however often synced.
    daily_update_id: Mapped[int | None] = mapped_column(Integer)
    weekly_id: Mapped[int | None] = mapped_column(ForeignKey("weeklies.id"))
    # Removed by its author after an agenda had shown it: it no longer carries over.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class WeeklyAgendaItem(Base):
    """An item as shown in one Weekly's agenda: its reply in the thread, carried over or new."""

    __tablename__ = "weekly_agenda_items"
    __table_args__ = (
        UniqueConstraint("weekly_id", "item_id", name="uq_weekly_agenda_items_item"),
        Index("ix_weekly_agenda_items_reply_ts", "team_id", "reply_ts"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    weekly_id: Mapped[int] = mapped_column(ForeignKey("weeklies.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("weekly_items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_ts: Mapped[str | None] = mapped_column(String(32))


class WeeklyReaction(Base):
    """One person's claim or resolve mark on one agenda reply, as of the latest event seen.

    Events can arrive out of order (added and removed racing each other); `event_ts` keeps
    the latest, so the stored state is the one the person left.
    """

    __tablename__ = "weekly_reactions"
    __table_args__ = (
        UniqueConstraint("entry_id", "user_id", "kind", name="uq_weekly_reactions_mark"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    entry_id: Mapped[int] = mapped_column(ForeignKey("weekly_agenda_items.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))  # "claim" | "resolve"
    active: Mapped[bool] = mapped_column(Boolean)
    event_ts: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class WeeklyDecision(Base):
    """The decision log: posted in the agenda thread (or the channel before any agenda)."""

    __tablename__ = "weekly_decisions"
    __table_args__ = (Index("ix_weekly_decisions_channel", "team_id", "channel_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    weekly_id: Mapped[int | None] = mapped_column(ForeignKey("weeklies.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    posted_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


# --- Prospect radar ---


class ProspectAnnouncement(Base):
    """`/prospect COMPANY`: a member plans to contact a company; public in its channel.

    One row per member and company (re-announcing updates the row and keeps `announced_at`,
    which is the "in touch since" of flags). `company` is kept as typed: matching is the
    radar index's job, so normalisation can improve without a data migration.
    """

    __tablename__ = "prospect_announcements"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "company", name="uq_prospect_announcements_company"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    company: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # The bot's announcement post: flags go into its thread.
    message_ts: Mapped[str | None] = mapped_column(String(32))
    # Announced in a private channel: flagged to nobody outside that channel.
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class KnownContact(Base):
    """`/prospect knows COMPANY: CONTACT` or a CSV row: someone in the team knows someone there.

    Team-wide, not per channel. The contact's name is personal data: it is shown in a channel
    only inside a flag, and `forget` erases it with the person who registered it.
    """

    __tablename__ = "known_contacts"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "company", name="uq_known_contacts_company"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    company: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class RadarFlag(Base):
    """A flag posted in a thread: the unique row makes "once per thread" hold across processes.

    `subject` is the announcement or contact flagged (`prospect:17`, `contact:4`), so a company
    named again in the same thread is not flagged again, while a teammate who registers a
    contact later still is. `user_id` is the person flagged: `forget` removes these rows too.
    """

    __tablename__ = "radar_flags"
    __table_args__ = (
        UniqueConstraint(
            "team_id", "channel_id", "thread_ts", "subject", name="uq_radar_flags_thread_subject"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(32))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class RadarChannelSetting(Base):
    """Per channel: whether ordinary messages are scanned for companies too (off by default)."""

    __tablename__ = "radar_channel_settings"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", name="uq_radar_channel_settings_channel"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    scan_messages: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class RadarVersion(Base):
    """Bumped by every radar write, so each process knows when its cached index is stale.

    A `forget` run by the CLI in another process is seen by the web workers on their next use.
    """

    __tablename__ = "radar_versions"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


# --- Installs ---


class StoppedWorkspace(Base):
    """A workspace Redthread must not work for: the app was uninstalled or its token revoked.

    The clock plans nothing there and stored requests are not worked off. The mark goes when
    the workspace installs the app again (OAuth) or, with one `SLACK_BOT_TOKEN`, once the
    token is another than the one Slack revoked (`token_digest`).
    """

    __tablename__ = "stopped_workspaces"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))  # "app_uninstalled" | "tokens_revoked"
    token_digest: Mapped[str | None] = mapped_column(String(64))
    stopped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


# --- Board and App Home ---


class BoardCard(Base):
    """A card on a person's weekly sprint board (one board per person per workspace).

    `status` is the column (`todo`, `doing`, `done`, `long`). A done card is archived by rule
    (`bot.board.rules.is_archived`), not by rewriting the row, so it stays for the Weekly's
    "done since the last Weekly". `channel_id` is where the card was last put into a column
    from: its week follows that channel's time zone.
    """

    __tablename__ = "board_cards"
    __table_args__ = (Index("ix_board_cards_owner", "team_id", "user_id", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HomeView(Base):
    """A person's published App Home: its hash guards `views.publish` against races, and its
    presence means a change to the person's data republishes it."""

    __tablename__ = "home_views"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_home_views_user"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    view_hash: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OkrObjective(Base):
    """A team objective of a channel (`O1`, `O2`, …). `quarter` is None while open; `close`
    sets it (`2026-Q4`) and `closed_at`, and the archive reads them later."""

    __tablename__ = "okr_objectives"
    __table_args__ = (Index("ix_okr_objectives_channel", "team_id", "channel_id", "quarter"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    quarter: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OkrKeyResult(Base):
    """A key result (`KR1.2`): a numeric target the team moves towards from 0; `unit` is "%"
    for a percentage, else empty."""

    __tablename__ = "okr_key_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    target: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(8), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class OkrCheckIn(Base):
    """A key result's value at a moment, with an optional note. `user_id` is who checked in
    (named next to a note, never counted); None once that person was forgotten."""

    __tablename__ = "okr_check_ins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    key_result_id: Mapped[int] = mapped_column(
        ForeignKey("okr_key_results.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
