"""The `--help` texts of `python -m bot` and its subcommands (operators read them, not users
in Slack, so they are English and live here rather than in the gettext catalogs)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

SETTINGS_NOTE = """\
Settings come from the environment or a .env file in the working directory: SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (Socket Mode), SLACK_CLIENT_ID / SLACK_CLIENT_SECRET
(OAuth installs), DATABASE_URL, SLACK_API_URL, PORT, DEFAULT_TIMEZONE, DEFAULT_LANGUAGE.
A missing or malformed one stops the command with exit status 2, every problem named."""

MAIN_DESCRIPTION = f"""\
Redthread, a Slack bot for a team's async Daily, Weekly agenda and prospect radar.

Without a subcommand it runs in Socket Mode (needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN) with
the scheduler in the same process: one machine, no public URL.

{SETTINGS_NOTE}"""

SERVE_DESCRIPTION = """\
HTTP mode: every Slack request (slash commands, events, interactivity) at POST /slack/events,
and GET /healthz (200 while the database answers), on PORT (3000). Needs SLACK_SIGNING_SECRET
and SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs).
gunicorn runs WEB_CONCURRENCY workers with WEB_THREADS threads each; scale it out freely and
run exactly one `clock` next to it."""

RUN_DESCRIPTION = """\
Run one scheduled job for one channel now, whatever the schedule says (the manual trigger).
Posts that are already out are not posted again.

example:
  python -m bot run daily-summary --channel C0123456 --at 2026-11-30T12:00"""

DB_DESCRIPTION = """\
upgrade: apply the database migrations (Alembic). Every other command migrates on start too,
so running it again does nothing.
copy SOURCE_URL: copy every row from another database (e.g. sqlite:///redthread.db) into
DATABASE_URL, which must be migrated and empty; one transaction, all or nothing. A non-empty
target is refused (exit 2)."""

EXPORT_DESCRIPTION = """\
Print everything stored for one workspace as JSON on stdout (GDPR access request)."""

FORGET_DESCRIPTION = """\
--user U: erase one person's data in every pillar: Daily, Weekly, prospect radar (GDPR).
--team T alone: erase a whole workspace's data (as when Slack reports the app uninstalled).
Prints how many rows went, per table."""

IMPORT_CONTACTS_DESCRIPTION = """\
Import known contacts for the prospect radar from a CSV file with the columns company,
contact, known_by (a Slack user id like U0123456, or the person's e-mail address). Separators
`,` and `;` and Excel's encodings work. Every row is checked first; any problem is listed per
row and nothing is imported. Importing again updates instead of duplicating.

known_by as an e-mail address needs the users:read.email scope: print the manifest with
`python -m bot manifest --with-email-import` and reinstall the app."""

MANIFEST_DESCRIPTION = """\
Print the Slack app manifest to paste in Slack (Your apps → Create New App → From an app
manifest). Give --socket-mode for `python -m bot`, or --url for `python -m bot serve`."""

RADAR_DESCRIPTION = """\
explain NAME_A NAME_B: how the prospect radar reads both company names and why it takes them
for the same company or not; the last line is `same` or `different` (exit 0 either way)."""


SANDBOX_DESCRIPTION = """\
Try Redthread without Slack: the real bot (signed requests into the same app as `serve`) with
a built-in stand-in for Slack, and a web page at the printed URL http://127.0.0.1:PORT/ where
you act as any of five teammates in #sales: commands, messages, threads, reactions, modals,
the App Home, and the scheduled jobs run as if at a chosen time. No tokens, no network;
everything listens on 127.0.0.1 only. SQLite in a temporary folder unless DATABASE_URL is
set. Ctrl-C stops it."""


def package_version() -> str:
    """The installed distribution's version (pyproject.toml is the one place it is set)."""
    try:
        return version("redthread")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"
