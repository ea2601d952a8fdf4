// One message as Slack shows it: author, time, blocks (or mrkdwn text), reactions as chips, the
// thread link, and on hover: react, reply in thread, the "Add to Weekly agenda" shortcut.

import { el, renderBlocks } from "./blocks.js";
import { emojiFor, PICKER } from "./emoji.js";
import { renderMrkdwn } from "./mrkdwn.js";

export const WEEKLY_SHORTCUT = { callback_id: "weekly_add_message", label: "Add to Weekly agenda" };

function initials(name) {
  const parts = String(name).trim().split(/\s+/).filter(Boolean);
  return (parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : String(name).slice(0, 2)).toUpperCase();
}

/** A stable colour per author, so a conversation is easy to follow. */
function hue(id) {
  let sum = 0;
  for (const char of String(id)) sum = (sum * 31 + char.charCodeAt(0)) % 360;
  return sum;
}

export function formatTime(ts, viewer) {
  const when = new Date(parseFloat(ts) * 1000);
  if (Number.isNaN(when.getTime())) return { short: "", long: "" };
  const options = { timeZone: viewer?.tz || undefined };
  const locale = viewer?.locale || undefined;
  try {
    return {
      short: when.toLocaleTimeString(locale, { ...options, hour: "2-digit", minute: "2-digit" }),
      long: when.toLocaleString(locale, { ...options, dateStyle: "full", timeStyle: "short" }),
    };
  } catch {
    return { short: when.toISOString().slice(11, 16), long: when.toISOString() };
  }
}

function author(message, view) {
  const botUser = view.users.find((user) => user.is_bot);
  const isBot = Boolean(message.bot_id) || (botUser && message.user === botUser.id);
  const id = message.user || message.bot_id || "?";
  const name = isBot ? botUser?.real_name || "Redthread" : view.ctx.userName(id);
  return { id, name, isBot };
}

function reactionChip(message, reaction, view) {
  const mine = (reaction.users ?? []).includes(view.me.id);
  const chip = el("button", `reaction${mine ? " mine" : ""}`);
  chip.type = "button";
  chip.dataset.name = reaction.name;
  chip.title = `:${reaction.name}: ${(reaction.users ?? []).map((id) => view.ctx.userName(id)).join(", ")}`;
  chip.append(el("span", "emoji", emojiFor(reaction.name) ?? `:${reaction.name}:`));
  chip.append(el("span", "count", String(reaction.count ?? reaction.users?.length ?? 0)));
  chip.addEventListener("click", () => view.onReact(message, reaction.name, !mine));
  return chip;
}

function picker(message, view) {
  const wrap = el("span", "picker-wrap");
  const toggle = el("button", "add-reaction", "☺+");
  toggle.type = "button";
  toggle.title = "Add reaction";
  const menu = el("div", "picker hidden");
  for (const name of PICKER) {
    const option = el("button", "picker-emoji", emojiFor(name));
    option.type = "button";
    option.dataset.name = name;
    option.title = `:${name}:`;
    option.addEventListener("click", () => {
      menu.classList.add("hidden");
      const mine = (message.reactions ?? []).some((r) => r.name === name && r.users?.includes(view.me.id));
      view.onReact(message, name, !mine);
    });
    menu.append(option);
  }
  toggle.addEventListener("click", (event) => {
    event.stopPropagation();
    menu.classList.toggle("hidden");
  });
  wrap.append(toggle, menu);
  return wrap;
}

function hoverActions(message, view, inThread) {
  const bar = el("div", "message-actions");
  bar.append(picker(message, view));
  if (!inThread) {
    const reply = el("button", "reply-in-thread", "💬");
    reply.type = "button";
    reply.title = "Reply in thread";
    reply.addEventListener("click", () => view.onOpenThread(message.thread_ts || message.ts));
    bar.append(reply);
  }
  const more = el("span", "more-wrap");
  const toggle = el("button", "more-actions", "⋮");
  toggle.type = "button";
  toggle.title = "More actions";
  const menu = el("div", "bk-menu hidden");
  const shortcut = el("button", "bk-menu-item shortcut", WEEKLY_SHORTCUT.label);
  shortcut.type = "button";
  shortcut.dataset.callbackId = WEEKLY_SHORTCUT.callback_id;
  shortcut.addEventListener("click", () => {
    menu.classList.add("hidden");
    view.onShortcut(message, WEEKLY_SHORTCUT.callback_id);
  });
  menu.append(shortcut);
  toggle.addEventListener("click", () => menu.classList.toggle("hidden"));
  more.append(toggle, menu);
  bar.append(more);
  return bar;
}

/**
 * `view`: {me, users, ctx (mrkdwn context), onReact, onOpenThread, onShortcut, onAction}.
 * `options.ephemeral` marks a message only the viewer sees; `options.inThread` drops the
 * thread link.
 */
export function renderMessage(message, view, options = {}) {
  const who = author(message, view);
  const node = el("div", "message");
  node.dataset.ts = message.ts ?? "";
  if (options.ephemeral) node.classList.add("ephemeral");
  if (who.isBot) node.classList.add("from-bot");

  const avatar = el("div", "avatar", who.isBot ? "R" : initials(who.name));
  avatar.style.background = who.isBot ? "#8c1c13" : `hsl(${hue(who.id)} 45% 42%)`;
  const main = el("div", "message-main");
  const meta = el("div", "message-meta");
  meta.append(el("span", "author", who.name));
  if (who.isBot) meta.append(el("span", "app-badge", "APP"));
  const time = formatTime(message.ts, view.me);
  const stamp = el("span", "time", time.short);
  stamp.title = time.long;
  meta.append(stamp);
  if (message.edited) meta.append(el("span", "edited", "(edited)"));
  main.append(meta);

  const ctx = {
    ...view.ctx,
    onAction: (action) => view.onAction(action, message, options),
  };
  const body = message.blocks?.length ? renderBlocks(message.blocks, ctx) : renderMrkdwn(message.text, ctx);
  body.classList.add("message-body");
  main.append(body);

  if (options.ephemeral) main.append(el("div", "ephemeral-note", "👁 Only visible to you"));

  const reactions = message.reactions ?? [];
  if (reactions.length) {
    const row = el("div", "reactions");
    for (const reaction of reactions) row.append(reactionChip(message, reaction, view));
    main.append(row);
  }
  const replies = message.replies ?? [];
  if (!options.inThread && replies.length) {
    const link = el("button", "replies-link", `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`);
    link.type = "button";
    link.addEventListener("click", () => view.onOpenThread(message.ts));
    main.append(link);
  }
  node.append(avatar, main);
  if (!options.ephemeral) node.append(hoverActions(message, view, options.inThread));
  return node;
}

/** Messages and ephemerals in time order; an ephemeral without ts goes last. */
export function timeline(messages, ephemerals) {
  const items = [
    ...messages.map((message) => ({ message, ephemeral: false })),
    ...ephemerals.map((message) => ({ message, ephemeral: true })),
  ];
  const key = (item) => {
    const ts = parseFloat(item.message.ts);
    return Number.isFinite(ts) ? ts : Number.POSITIVE_INFINITY;
  };
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => key(a.item) - key(b.item) || a.index - b.index)
    .map(({ item }) => item);
}
