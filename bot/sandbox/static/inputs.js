// Block Kit input elements as form controls. Each returns {node, read}: `read()` gives the
// element's state exactly as Slack puts it in view.state.values (a missing choice is null).

import { plainString, renderMrkdwn, renderPlain } from "./mrkdwn.js";

let serial = 0;

function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

function optionNode(option, index) {
  const node = el("option");
  node.value = String(index);
  node.textContent = plainString(option.text);
  return node;
}

/** A <select> over options or option_groups; each <option> value is its index in `flat`. */
function selectControl(element, { multiple, placeholder }) {
  const select = el("select", "bk-select");
  select.multiple = multiple;
  const flat = [];
  if (!multiple) {
    const blank = el("option");
    blank.value = "";
    blank.textContent = placeholder || plainString(element.placeholder) || "Select an option";
    select.append(blank);
  }
  const add = (parent, options) => {
    for (const option of options ?? []) {
      parent.append(optionNode(option, flat.length));
      flat.push(option);
    }
  };
  if (element.option_groups) {
    for (const group of element.option_groups) {
      const node = el("optgroup");
      node.label = plainString(group.label);
      add(node, group.options);
      select.append(node);
    }
  } else add(select, element.options);
  const initial = [element.initial_option, ...(element.initial_options ?? [])].filter(Boolean);
  for (const chosen of initial) {
    const index = flat.findIndex((option) => option.value === chosen.value);
    if (index >= 0) select.options[multiple ? index : index + 1].selected = true;
  }
  if (multiple) select.size = Math.min(Math.max(flat.length, 2), 7);
  const chosen = () => [...select.selectedOptions].filter((o) => o.value !== "").map((o) => flat[+o.value]);
  return { select, chosen };
}

function choiceList(element, ctx, kind) {
  const box = el("div", `bk-choices bk-${kind}`);
  const name = `choice-${++serial}`;
  const initial = new Set(
    [element.initial_option, ...(element.initial_options ?? [])].filter(Boolean).map((o) => o.value),
  );
  const inputs = [];
  for (const option of element.options ?? []) {
    const label = el("label", "bk-choice");
    const input = el("input");
    input.type = kind;
    input.name = name;
    input.value = option.value ?? "";
    input.checked = initial.has(option.value);
    const caption = option.text?.type === "mrkdwn" ? renderMrkdwn(option.text.text, ctx) : renderPlain(option.text, ctx);
    caption.classList.add("inline");
    label.append(input, caption);
    if (option.description) {
      const hint = el("div", "bk-hint");
      hint.textContent = plainString(option.description);
      label.append(hint);
    }
    box.append(label);
    inputs.push([input, option]);
  }
  const chosen = () => inputs.filter(([input]) => input.checked).map(([, option]) => option);
  return { box, chosen };
}

function textControl(element, type) {
  const multiline = element.type === "plain_text_input" && element.multiline;
  const input = el(multiline ? "textarea" : "input", "bk-text");
  if (!multiline) input.type = type;
  if (multiline) input.rows = 3;
  if (element.max_length) input.maxLength = element.max_length;
  if (element.placeholder) input.placeholder = plainString(element.placeholder);
  input.value = element.initial_value ?? "";
  return input;
}

function pickList(items, element, key) {
  const control = el("select", "bk-select");
  control.multiple = key.endsWith("s");
  if (!control.multiple) control.append(Object.assign(el("option"), { value: "", textContent: "Select…" }));
  for (const item of items) {
    control.append(Object.assign(el("option"), { value: item.id, textContent: item.label }));
  }
  const initial = element.initial_user ?? element.initial_conversation ?? element.initial_channel;
  const initials = element.initial_users ?? element.initial_conversations ?? element.initial_channels ?? [];
  for (const option of control.options) {
    if (option.value && (option.value === initial || initials.includes(option.value))) option.selected = true;
  }
  const read = () => {
    const chosen = [...control.selectedOptions].map((o) => o.value).filter(Boolean);
    return { type: element.type, [key]: control.multiple ? chosen : chosen[0] ?? null };
  };
  return { node: control, read };
}

export function renderInputElement(element, ctx) {
  const type = element.type;
  switch (type) {
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input": {
      const htmlType = { email_text_input: "email", url_text_input: "url", number_input: "number" }[type] ?? "text";
      const input = textControl(element, htmlType);
      if (type === "number_input" && element.is_decimal_allowed) input.step = "any";
      return { node: input, read: () => ({ type, value: input.value === "" ? null : input.value }) };
    }
    case "static_select":
    case "external_select": {
      const { select, chosen } = selectControl(element, { multiple: false });
      return { node: select, read: () => ({ type, selected_option: chosen()[0] ?? null }) };
    }
    case "multi_static_select":
    case "multi_external_select": {
      const { select, chosen } = selectControl(element, { multiple: true });
      return { node: select, read: () => ({ type, selected_options: chosen() }) };
    }
    case "checkboxes": {
      const { box, chosen } = choiceList(element, ctx, "checkbox");
      return { node: box, read: () => ({ type, selected_options: chosen() }) };
    }
    case "radio_buttons": {
      const { box, chosen } = choiceList(element, ctx, "radio");
      return { node: box, read: () => ({ type, selected_option: chosen()[0] ?? null }) };
    }
    case "datepicker": {
      const input = Object.assign(el("input", "bk-date"), { type: "date", value: element.initial_date ?? "" });
      return { node: input, read: () => ({ type, selected_date: input.value || null }) };
    }
    case "timepicker": {
      const input = Object.assign(el("input", "bk-time"), { type: "time", value: element.initial_time ?? "" });
      return { node: input, read: () => ({ type, selected_time: input.value || null }) };
    }
    case "datetimepicker": {
      const input = Object.assign(el("input", "bk-datetime"), { type: "datetime-local" });
      if (element.initial_date_time) {
        const local = new Date(element.initial_date_time * 1000 - new Date().getTimezoneOffset() * 60000);
        input.value = local.toISOString().slice(0, 16);
      }
      const read = () => ({
        type,
        selected_date_time: input.value ? Math.floor(new Date(input.value).getTime() / 1000) : null,
      });
      return { node: input, read };
    }
    case "users_select":
    case "multi_users_select": {
      const people = ctx.users.filter((u) => !u.is_bot).map((u) => ({ id: u.id, label: u.real_name || u.name }));
      return pickList(people, element, type === "users_select" ? "selected_user" : "selected_users");
    }
    case "conversations_select":
    case "channels_select":
    case "multi_conversations_select":
    case "multi_channels_select": {
      const channels = ctx.channels.map((c) => ({ id: c.id, label: `#${c.name}` }));
      const noun = type.includes("channels") ? "channel" : "conversation";
      return pickList(channels, element, type.startsWith("multi_") ? `selected_${noun}s` : `selected_${noun}`);
    }
    default: {
      const node = el("span", "bk-unknown");
      node.textContent = `[${type ?? "?"}]`;
      return { node, read: () => ({ type }) };
    }
  }
}
