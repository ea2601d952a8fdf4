// The sandbox page: a Slack-like client of the engine's JSON API (bot/sandbox's README).
// State comes from GET /api/state for the person acted as; every change re-renders from it.

import { getState, post, watchVersions } from "./api.js";
import { el, renderBlocks } from "./blocks.js";
import { renderMessage, timeline } from "./messages.js";
import { missingRequired, renderModal, showErrors } from "./modal.js";
import { EXAMPLES, renderComposer } from "./composer.js";

const $ = (id) => document.getElementById(id);

const app = {
  me: sessionStorage.getItem("redthread.me"),
  state: null,
  version: -1,
  channel: sessionStorage.getItem("redthread.channel"),
  tab: "channel", // or "home"
  thread: null, // ts of the open thread's parent
  refreshing: null,
  again: false,
};

function user(id) {
  return app.state?.users.find((candidate) => candidate.id === id);
}

function meUser() {
  return user(app.me) ?? { id: app.me, locale: "en-US", tz: undefined };
}

const mrkdwnContext = () => ({
  userName: (id) => user(id)?.real_name || user(id)?.name || id,
  channelName: (id) => app.state?.channels.find((c) => c.id === id)?.name || id,
  users: app.state?.users ?? [],
  channels: app.state?.channels ?? [],
});

function showError(error) {
  const note = $("page-error");
  note.textContent = error ? String(error.message ?? error) : "";
  note.classList.toggle("hidden", !error);
}

/** Runs one API call; its answer's version triggers a refresh right away. */
async function act(path, body) {
  try {
    const answer = await post(path, body);
    showError(null);
    await refresh();
    return answer;
  } catch (error) {
    showError(error);
    throw error;
  }
}

// --- rendering ---------------------------------------------------------------------------

function messageView() {
  return {
    me: meUser(),
    users: app.state.users,
    ctx: mrkdwnContext(),
    onReact: (message, name, on) =>
      act("/api/reaction", { user: app.me, channel: app.channel, ts: message.ts, name, on }).catch(() => {}),
    onOpenThread: (ts) => {
      app.thread = ts;
      render();
      $("thread-input")?.focus();
    },
    onShortcut: (message, callbackId) =>
      act("/api/shortcut", {
        user: app.me,
        channel: app.channel,
        message_ts: message.ts,
        callback_id: callbackId,
      }).catch(() => {}),
    onAction: (action, message) => {
      const body = { user: app.me, channel: app.channel, message_ts: message.ts, ...action };
      act("/api/action", body).catch(() => {});
    },
  };
}

function renderUsers() {
  const select = $("user-switch");
  const people = app.state.users.filter((candidate) => !candidate.is_bot);
  const signature = people.map((p) => `${p.id}:${p.real_name}:${p.locale}`).join("|");
  if (select.dataset.signature !== signature) {
    select.replaceChildren(
      ...people.map((person) => {
        const option = el("option", "", `${person.real_name || person.name} · ${person.locale}`);
        option.value = person.id;
        return option;
      }),
    );
    select.dataset.signature = signature;
  }
  select.value = app.me;
}

function renderSidebar() {
  $("team-name").textContent = app.state.team?.name ?? "Sandbox";
  const list = $("channel-list");
  const entries = app.state.channels.map((channel) => ({ id: channel.id, label: `# ${channel.name}` }));
  entries.push({ id: "home", label: "🏠 Redthread · Home" });
  if (app.state.messages?.[directChannel()]) entries.push({ id: directChannel(), label: "💬 Redthread · Messages" });
  list.replaceChildren(
    ...entries.map((entry) => {
      const item = el("button", "channel-entry", entry.label);
      item.type = "button";
      item.dataset.channel = entry.id;
      const active = entry.id === "home" ? app.tab === "home" : app.tab === "channel" && entry.id === app.channel;
      item.classList.toggle("active", active);
      item.addEventListener("click", () => (entry.id === "home" ? openHome() : openChannel(entry.id)));
      return item;
    }),
  );
  const now = app.state.now ? new Date(app.state.now) : null;
  $("sandbox-now").textContent = now ? `Sandbox time: ${now.toLocaleString(meUser().locale, { timeZone: meUser().tz })}` : "";
}

function ephemeralsIn(channel, threadTs) {
  return (app.state.ephemerals ?? []).filter(
    (message) => message.channel === channel && (message.thread_ts ?? null) === (threadTs ?? null),
  );
}

const shownData = new Map(); // container id → the data it shows, as JSON

/** True when `data` differs from what `container` shows: unchanged panes keep their DOM (and
 * an open menu, a hover, a half-typed reply) through the live updates. */
function changed(container, data) {
  const signature = JSON.stringify(data);
  if (shownData.get(container.id) === signature) return false;
  shownData.set(container.id, signature);
  return true;
}

/** Keeps the reader at the bottom when they were there (new messages scroll into view). */
function replaceScrolled(container, children) {
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  container.replaceChildren(...children);
  if (atBottom || !container.dataset.scrolled) {
    container.scrollTop = container.scrollHeight;
    container.dataset.scrolled = "1";
  }
}

/** The bot's direct messages with the person acted as ("U123" → "D123", as the engine keeps them). */
function directChannel() {
  return app.me ? `D${app.me.slice(1)}` : null;
}

function renderChannel() {
  const channel = app.state.channels.find((c) => c.id === app.channel);
  $("pane-title").textContent = channel ? `# ${channel.name}` : "Redthread · Messages";
  $("composer").placeholder = `Message ${channel ? `#${channel.name}` : "Redthread"} — or a command: /daily help`;
  const messages = app.state.messages?.[app.channel] ?? [];
  const ephemerals = ephemeralsIn(app.channel, null);
  if (!changed($("messages"), [app.me, app.channel, app.state.users, messages, ephemerals])) return;
  const view = messageView();
  const items = timeline(messages, ephemerals);
  const nodes = items.map(({ message, ephemeral }) => renderMessage(message, view, { ephemeral }));
  if (!nodes.length) nodes.push(el("div", "empty", "No messages yet. Try /daily help."));
  replaceScrolled($("messages"), nodes);
}

function renderHome() {
  $("pane-title").textContent = "Redthread · Home";
  const home = app.state.home;
  const container = $("home");
  if (!changed(container, [app.me, home])) return;
  if (!home) {
    container.replaceChildren(el("div", "empty", "Opening the App Home…"));
    return;
  }
  const ctx = {
    ...mrkdwnContext(),
    onAction: (action) => act("/api/action", { user: app.me, view_id: home.id, ...action }).catch(() => {}),
  };
  const blocks = renderBlocks(home.blocks, ctx);
  blocks.classList.add("home-view");
  container.replaceChildren(blocks);
}

function renderThread() {
  const pane = $("thread-pane");
  const parent = (app.state.messages?.[app.channel] ?? []).find((m) => m.ts === app.thread);
  if (!app.thread || app.tab !== "channel" || !parent) {
    pane.classList.add("hidden");
    return;
  }
  pane.classList.remove("hidden");
  const channel = app.state.channels.find((c) => c.id === app.channel);
  $("thread-title").textContent = channel ? `Thread · #${channel.name}` : "Thread";
  const ephemerals = ephemeralsIn(app.channel, app.thread);
  if (!changed($("thread-messages"), [app.me, app.channel, app.state.users, parent, ephemerals])) return;
  const view = messageView();
  const nodes = [renderMessage(parent, view, { inThread: true })];
  const count = parent.replies?.length ?? 0;
  nodes.push(el("div", "thread-divider", `${count} ${count === 1 ? "reply" : "replies"}`));
  for (const { message, ephemeral } of timeline(parent.replies ?? [], ephemerals)) {
    nodes.push(renderMessage(message, view, { ephemeral, inThread: true }));
  }
  replaceScrolled($("thread-messages"), nodes);
}

function renderJobs() {
  const jobs = $("job-name");
  const signature = (app.state.jobs ?? []).join("|");
  if (jobs.dataset.signature !== signature) {
    jobs.replaceChildren(...(app.state.jobs ?? []).map((job) => Object.assign(el("option", "", job), { value: job })));
    jobs.dataset.signature = signature;
  }
  const channels = $("job-channel");
  const channelSignature = app.state.channels.map((c) => c.id).join("|");
  if (channels.dataset.signature !== channelSignature) {
    channels.replaceChildren(
      ...app.state.channels.map((c) => Object.assign(el("option", "", `#${c.name}`), { value: c.id })),
    );
    channels.dataset.signature = channelSignature;
  }
}

function renderModalFromState() {
  renderModal($("modal-host"), app.state.modal, {
    ctx: mrkdwnContext(),
    onSubmit: async (view, values) => {
      // Slack's own words, in the person's language (it checks before the bot sees anything).
      const required = meUser().locale?.startsWith("de") ? "Bitte fülle dieses Feld aus." : "Please fill out this field.";
      const missing = missingRequired(values, required);
      if (Object.keys(missing).length) {
        showErrors(missing);
        return;
      }
      const answer = await post("/api/view_submission", { user: app.me, view_id: view.id, values });
      showErrors(answer.ok === false ? answer.errors ?? {} : {});
      await refresh();
    },
    onClose: (view) => act("/api/view_closed", { user: app.me, view_id: view.id }).catch(() => {}),
    onAction: (action, view) => act("/api/action", { user: app.me, view_id: view.id, ...action }).catch(() => {}),
  });
}

function render() {
  if (!app.state) return;
  renderUsers();
  renderSidebar();
  const onHome = app.tab === "home";
  $("messages").classList.toggle("hidden", onHome);
  $("composer-host").classList.toggle("hidden", onHome);
  $("home").classList.toggle("hidden", !onHome);
  if (onHome) renderHome();
  else renderChannel();
  renderThread();
  renderJobs();
  renderModalFromState();
  document.body.dataset.version = String(app.version);
  document.body.dataset.me = app.me ?? "";
}

// --- state ---------------------------------------------------------------------------------

/** The state for the person acted as; without one (first load, or someone the sandbox no longer
 * has since a restart), the engine's first teammate's. */
async function stateForMe() {
  if (!app.me) return getState();
  try {
    return await getState(app.me);
  } catch {
    return getState();
  }
}

/** Fetches the state for the person acted as; calls that overlap share one extra fetch. */
async function refresh() {
  if (app.refreshing) {
    app.again = true;
    return app.refreshing;
  }
  app.refreshing = (async () => {
    do {
      app.again = false;
      const state = await stateForMe();
      app.state = state;
      app.version = state.version;
      app.me = state.me;
      const known = state.channels.some((c) => c.id === app.channel) || app.channel === directChannel();
      if (!known) app.channel = state.channels[0]?.id ?? null;
      render();
    } while (app.again);
  })().finally(() => {
    app.refreshing = null;
  });
  return app.refreshing;
}

function openChannel(channelId) {
  app.tab = "channel";
  app.channel = channelId;
  sessionStorage.setItem("redthread.channel", channelId);
  if (app.thread && !(app.state.messages?.[channelId] ?? []).some((m) => m.ts === app.thread)) app.thread = null;
  render();
}

function openHome() {
  app.tab = "home";
  app.thread = null;
  render();
  act("/api/home", { user: app.me }).catch(() => {});
}

function switchUser(userId) {
  if (app.channel === directChannel()) app.channel = null; // someone else's messages
  app.me = userId;
  sessionStorage.setItem("redthread.me", userId);
  if (app.tab === "home") openHome();
  else refresh().catch(showError);
}

/** What the composer sends: a slash command, or a message (in the thread when one is open).
 * A refusal is shown under the composer (which gives the text back), not in the banner. */
async function send(text, threadTs) {
  let answer;
  if (text.startsWith("/")) {
    const [, command, rest] = /^(\/\S+)\s*([\s\S]*)$/.exec(text);
    const body = { user: app.me, channel: app.channel, command: command.toLowerCase(), text: rest };
    answer = await post("/api/command", body);
  } else {
    const body = { user: app.me, channel: app.channel, text };
    if (threadTs) body.thread_ts = threadTs;
    answer = await post("/api/message", body);
  }
  await refresh().catch(showError);
  return answer;
}

async function runJob() {
  const result = $("job-result");
  result.textContent = "Running…";
  const body = { job: $("job-name").value, channel: $("job-channel").value, at: $("job-at").value };
  try {
    const answer = await act("/api/run_job", body);
    const said = answer.result ?? answer.output ?? answer.ran ?? answer;
    result.textContent = typeof said === "string" ? said : JSON.stringify(said, null, 1);
  } catch (error) {
    result.textContent = `Failed: ${error.message}`;
  }
}

async function reset() {
  app.thread = null;
  $("job-result").textContent = "";
  await act("/api/reset", {}).catch(() => {});
  if (app.tab === "home") openHome();
}

function start() {
  $("user-switch").addEventListener("change", (event) => switchUser(event.target.value));
  $("run-job").addEventListener("click", runJob);
  $("reset").addEventListener("click", reset);
  $("close-thread").addEventListener("click", () => {
    app.thread = null;
    render();
  });
  renderComposer($("composer-host"), {
    id: "composer",
    placeholder: "Message",
    onSend: (text) => send(text),
    examples: EXAMPLES,
  });
  renderComposer($("thread-composer-host"), {
    id: "thread-input",
    placeholder: "Reply…",
    onSend: (text) => send(text, app.thread),
  });
  document.addEventListener("click", (event) => {
    // Open menus close on any click outside them.
    for (const menu of document.querySelectorAll(".picker:not(.hidden), .bk-menu:not(.hidden)")) {
      if (!menu.parentElement.contains(event.target)) menu.classList.add("hidden");
    }
  });
  refresh()
    .then(() => watchVersions((version) => version !== app.version && refresh().catch(showError), () => app.me, () => app.version))
    .catch(showError);
}

start();
