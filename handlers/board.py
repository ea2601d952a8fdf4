"""Slack listener of the board: `/board` and its subcommands."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.board import render, service
from bot.board.parse import Add, Help, Invalid, Move, Remove, Show, Team, parse_board_command
from bot.runtime import Runtime
from bot.text import quote_user_text
from handlers.common import slash_command
from handlers.inbox import Inbox

# How much of an unknown subcommand the usage message quotes.
DETAIL_LIMIT = 40


def register(app: App, runtime: Runtime, inbox: Inbox) -> None:
    def board_command(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        caller = slash_command(runtime, body, client, context, respond)
        team_id, channel_id, user_id, language = caller.identity
        # A board is the person's, not the channel's: it works in a DM too, where the week
        # follows the default time zone (no channel is remembered on the card).
        where = None if caller.in_direct_message else channel_id
        tell = caller.tell_key
        match parse_board_command(caller.text):
            case Help():
                tell("board.help")
            case Invalid(error=error, detail=detail):
                tell(error, detail=quote_user_text(detail, DETAIL_LIMIT))
            case Show():
                cards = service.board_of(runtime, team_id, user_id)
                hints = service.radar_hints(runtime, client, team_id, cards, language, where)
                text, blocks = render.board_message(language, cards, hints)
                caller.tell(text, blocks)
            case Team():
                if where is None:
                    tell("board.error.team_in_channel")
                    return
                caller.tell(*service.team_boards(runtime, client, team_id, channel_id, language))
            case Add(column=column, text=text):
                card = service.add_card(runtime, team_id, user_id, where, column, text)
                tell(
                    "board.ack.added",
                    number=card.number,
                    column=render.column_label(language, column),
                    text=quote_user_text(text),
                )
            case Move(number=number, column=column):
                change = service.change_card(
                    runtime, team_id, user_id, number=number, column=column, channel_id=where
                )
                if change.error or change.card is None:
                    tell(change.error or "board.error.no_such_card", number=number)
                else:
                    tell(
                        "board.ack.moved",
                        number=number,
                        column=render.column_label(language, column),
                        text=quote_user_text(change.card.text),
                    )
            case Remove(number=number):
                change = service.change_card(runtime, team_id, user_id, number=number)
                if change.error or change.card is None:
                    tell(change.error or "board.error.no_such_card", number=number)
                else:
                    tell("board.ack.removed", number=number, text=quote_user_text(change.card.text))

    app.command("/board")(inbox.listener("board_command", board_command))
