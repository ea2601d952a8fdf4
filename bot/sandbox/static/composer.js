// The message box: Enter sends, Shift+Enter breaks the line; "/" lists the bot's commands.

import { el } from "./blocks.js";

export const COMMANDS = [
  ["/daily", "today: … highlight: … impediment: … | skip | away | settings | help"],
  ["/weekly", "add TEXT | remove N | decide TEXT | decisions | settings | help"],
  ["/prospect", "COMPANY [: NOTE] | knows COMPANY | list | remove COMPANY | help"],
  ["/board", "add [todo|doing|done|long] TEXT | move N COLUMN | done N | team | help"],
  ["/okr", "help"],
];

/** The commands whose name starts with what is typed (only while the command is typed). */
export function matchingCommands(text) {
  if (!text.startsWith("/") || /\s/.test(text)) return [];
  return COMMANDS.filter(([name]) => name.startsWith(text.toLowerCase()));
}

/** What a first-time visitor can try (a click puts it in the composer). */
export const EXAMPLES = [
  "/daily today: call ACME highlight: signed Bosch",
  "/weekly add impediment CRM export is broken",
  "/prospect Globex: intro via the fair",
  "/board add doing Offer for Initech",
  "/daily settings",
];

/** `options`: {id, placeholder, onSend(text) → Promise, examples?: string[]}. */
export function renderComposer(host, options) {
  const form = el("form", "composer");
  const input = el("textarea", "composer-input");
  input.id = options.id;
  input.rows = 1;
  input.placeholder = options.placeholder;
  input.setAttribute("aria-label", options.placeholder);
  const hints = el("div", "command-hints hidden");
  hints.setAttribute("role", "listbox");
  const sendButton = el("button", "send primary", "Send");
  sendButton.type = "submit";
  const error = el("div", "composer-error hidden");

  const fill = (name) => {
    input.value = `${name} `;
    showHints();
    input.focus();
  };
  const showHints = () => {
    const found = matchingCommands(input.value);
    hints.replaceChildren(
      ...found.map(([name, usage]) => {
        const hint = el("button", "command-hint");
        hint.type = "button";
        hint.dataset.command = name;
        hint.append(el("b", "", name), el("span", "usage", ` ${usage}`));
        hint.addEventListener("mousedown", (event) => event.preventDefault());
        hint.addEventListener("click", () => fill(name));
        return hint;
      }),
    );
    hints.classList.toggle("hidden", !found.length);
  };
  const submit = async () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    showHints();
    fit();
    error.classList.add("hidden");
    try {
      await options.onSend(text);
    } catch (problem) {
      if (!input.value) input.value = text; // nothing was sent: give the text back
      error.textContent = problem.message;
      error.classList.remove("hidden");
    }
  };
  // The box grows with what is typed (Shift+Enter), up to a few lines.
  const fit = () => {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  };
  input.addEventListener("input", () => {
    showHints();
    fit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === "Tab" && !hints.classList.contains("hidden")) {
      event.preventDefault();
      fill(matchingCommands(input.value)[0][0]);
    } else if (event.key === "Escape") hints.classList.add("hidden");
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  form.append(hints, input, sendButton);
  host.replaceChildren(form, error);
  if (options.examples?.length) {
    const examples = el("div", "examples", "Try: ");
    for (const example of options.examples) {
      const chip = el("button", "example", example);
      chip.type = "button";
      chip.addEventListener("click", () => {
        input.value = example;
        fit();
        input.focus();
      });
      examples.append(chip);
    }
    host.append(examples);
  }
}
