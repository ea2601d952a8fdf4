// The top modal of the viewer's stack: rendered from the bot's view, submitted as Slack's
// view_submission state. A view is re-rendered only when it changes (views.update gives a new
// hash), so what someone typed survives the live updates.

import { el, formValues, renderBlocks } from "./blocks.js";
import { plainString } from "./mrkdwn.js";

let shown = null; // {key, root, form}

function viewKey(view) {
  return `${view.id}:${view.hash ?? JSON.stringify(view.blocks ?? []).length}`;
}

/** Puts each error under its block (and takes old ones away) without touching the inputs; an
 * error for a block the view lacks is shown next to the buttons. */
export function showErrors(errors) {
  if (!shown) return;
  const unplaced = new Map(Object.entries(errors ?? {}));
  for (const block of shown.root.querySelectorAll(".bk-input")) {
    block.querySelector(".bk-error")?.remove();
    const message = unplaced.get(block.dataset.blockId);
    unplaced.delete(block.dataset.blockId);
    block.classList.toggle("has-error", Boolean(message));
    if (message) block.append(el("div", "bk-error", message));
  }
  shown.root.querySelector(".modal-status").textContent = [...unplaced.values()].join(" ");
  const first = shown.root.querySelector(".has-error");
  if (first) first.scrollIntoView({ block: "nearest" });
}

/**
 * `handlers`: {ctx, onSubmit(view, values) → Promise, onClose(view), onAction(action, view)}.
 * `view` null removes the modal.
 */
export function renderModal(host, view, handlers) {
  if (!view) {
    host.replaceChildren();
    host.classList.add("hidden");
    shown = null;
    return;
  }
  const key = viewKey(view);
  if (shown && shown.key === key) return;
  const form = new Map();
  const ctx = { ...handlers.ctx, form, onAction: (action) => handlers.onAction(action, view) };
  const card = el("div", "modal-card");
  card.setAttribute("role", "dialog");
  card.setAttribute("aria-modal", "true");
  card.dataset.viewId = view.id ?? "";
  card.dataset.callbackId = view.callback_id ?? "";

  const head = el("div", "modal-head");
  head.append(el("h2", "modal-title", plainString(view.title) || "Redthread"));
  const closeX = el("button", "modal-x", "×");
  closeX.type = "button";
  closeX.title = "Close";
  closeX.addEventListener("click", () => handlers.onClose(view));
  head.append(closeX);

  const body = renderBlocks(view.blocks, ctx);
  body.classList.add("modal-body");

  const foot = el("div", "modal-foot");
  const status = el("span", "modal-status");
  const cancel = el("button", "modal-cancel", plainString(view.close) || "Cancel");
  cancel.type = "button";
  cancel.addEventListener("click", () => handlers.onClose(view));
  foot.append(status, cancel);
  if (view.submit) {
    const submit = el("button", "modal-submit primary", plainString(view.submit));
    submit.type = "submit";
    foot.append(submit);
  }
  const formNode = el("form", "modal-form");
  formNode.noValidate = true; // Slack validates on its side, then the bot: show theirs only
  formNode.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!view.submit) return;
    status.textContent = "";
    try {
      await handlers.onSubmit(view, formValues(form));
    } catch (error) {
      status.textContent = error.message;
    }
  });
  formNode.addEventListener("keydown", (event) => {
    if (event.key === "Escape") handlers.onClose(view); // as Slack's close button
  });
  formNode.append(head, body, foot);
  card.append(formNode);
  host.replaceChildren(card);
  host.classList.remove("hidden");
  shown = { key, root: card, form };
  // A Slack-side rule the bot relies on: required inputs must not be empty.
  shown.requiredBlocks = (view.blocks ?? []).filter((b) => b.type === "input" && !b.optional).map((b) => b.block_id);
  const first = card.querySelector("input, textarea, select");
  if (first) first.focus();
}

/** Slack refuses a submission with an empty required input before the bot sees it. */
export function missingRequired(values, message) {
  const errors = {};
  for (const blockId of shown?.requiredBlocks ?? []) {
    const state = Object.values(values[blockId] ?? {})[0] ?? {};
    const filled = Object.entries(state).some(
      ([name, value]) => name !== "type" && value !== null && value !== "" && !(Array.isArray(value) && !value.length),
    );
    if (!filled) errors[blockId] = message;
  }
  return errors;
}
