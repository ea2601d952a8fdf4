// Block Kit → DOM for messages, modals and the App Home. Text goes through mrkdwn.js; every
// interactive element reports a click as {action_id, block_id, type, value?, selected_option?}
// to ctx.onAction, and input blocks register a reader so a modal can send Slack's state values.

import { plainString, renderMrkdwn, renderPlain, safeHref } from "./mrkdwn.js";
import { renderInputElement } from "./inputs.js";

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function text(textObject, ctx) {
  if (!textObject) return el("span");
  return textObject.type === "mrkdwn" ? renderMrkdwn(textObject.text, ctx) : renderPlain(textObject, ctx);
}

function report(ctx, element, blockId, extra) {
  const action = { action_id: element.action_id, block_id: blockId, type: element.type, ...extra };
  if (ctx.onAction) ctx.onAction(action);
}

function button(element, blockId, ctx) {
  const node = el("button", `bk-button ${element.style ?? ""}`.trim());
  node.type = "button";
  node.append(renderPlain(element.text, ctx));
  node.dataset.actionId = element.action_id ?? "";
  const href = element.url ? safeHref(element.url) : null;
  node.addEventListener("click", () => {
    if (href) window.open(href, "_blank", "noopener");
    report(ctx, element, blockId, element.value !== undefined ? { value: element.value } : {});
  });
  return node;
}

function overflow(element, blockId, ctx) {
  const wrap = el("span", "bk-overflow");
  const toggle = el("button", "bk-overflow-toggle", "⋯");
  toggle.type = "button";
  toggle.title = "More";
  toggle.dataset.actionId = element.action_id ?? "";
  const menu = el("div", "bk-menu hidden");
  for (const option of element.options ?? []) {
    const item = el("button", "bk-menu-item");
    item.type = "button";
    item.append(renderPlain(option.text, ctx));
    item.dataset.value = option.value ?? "";
    item.addEventListener("click", () => {
      menu.classList.add("hidden");
      report(ctx, element, blockId, { selected_option: option });
    });
    menu.append(item);
  }
  toggle.addEventListener("click", () => menu.classList.toggle("hidden"));
  wrap.append(toggle, menu);
  return wrap;
}

/** A select, picker or checkbox outside an input block: each change is a block action. */
function dispatchingElement(element, blockId, ctx) {
  const control = renderInputElement(element, ctx);
  control.node.addEventListener("change", () => {
    // Slack's action carries the element's state: selected_option(s), selected_date, value…
    const { type, ...state } = control.read();
    report(ctx, element, blockId, state);
  });
  return control.node;
}

function image(element) {
  // Remote images would leave the machine: only the alt text is shown (or a local image).
  const src = element.image_url ?? "";
  if (src.startsWith("/")) {
    const img = el("img", "bk-image");
    img.src = src;
    img.alt = element.alt_text ?? "";
    return img;
  }
  return el("span", "bk-image-alt", `[${element.alt_text ?? "image"}]`);
}

export function renderElement(element, blockId, ctx) {
  switch (element.type) {
    case "button":
      return button(element, blockId, ctx);
    case "overflow":
      return overflow(element, blockId, ctx);
    case "image":
      return image(element);
    case "mrkdwn":
    case "plain_text":
      return text(element, ctx);
    default:
      return dispatchingElement(element, blockId, ctx);
  }
}

function richText(block, ctx) {
  const root = el("div", "bk-rich");
  const inline = (parent, items) => {
    for (const item of items ?? []) {
      if (item.type === "text") {
        const styled = el(item.style?.code ? "code" : "span", "", item.text ?? "");
        if (item.style?.bold) styled.style.fontWeight = "bold";
        if (item.style?.italic) styled.style.fontStyle = "italic";
        if (item.style?.strike) styled.style.textDecoration = "line-through";
        parent.append(styled);
      } else if (item.type === "link") {
        const href = safeHref(item.url ?? "");
        const label = item.text || item.url || "";
        if (!href) parent.append(document.createTextNode(label));
        else {
          const anchor = el("a", "link", label);
          Object.assign(anchor, { href, target: "_blank", rel: "noopener noreferrer" });
          parent.append(anchor);
        }
      } else if (item.type === "user") parent.append(el("span", "mention", `@${ctx.userName(item.user_id)}`));
      else if (item.type === "channel") parent.append(el("span", "mention", `#${ctx.channelName(item.channel_id)}`));
      else if (item.type === "broadcast") parent.append(el("span", "mention special", `@${item.range}`));
      else if (item.type === "emoji") parent.append(renderPlain({ text: `:${item.name}:` }, ctx));
    }
  };
  for (const part of block.elements ?? []) {
    if (part.type === "rich_text_list") {
      const list = el(part.style === "ordered" ? "ol" : "ul");
      for (const item of part.elements ?? []) {
        const li = el("li");
        inline(li, item.elements);
        list.append(li);
      }
      root.append(list);
    } else {
      const tag = { rich_text_quote: "blockquote", rich_text_preformatted: "pre" }[part.type] ?? "div";
      const node = el(tag);
      inline(node, part.elements);
      root.append(node);
    }
  }
  return root;
}

function section(block, ctx) {
  const node = el("div", "bk-section");
  const body = el("div", "bk-section-body");
  if (block.text) body.append(text(block.text, ctx));
  if (block.fields?.length) {
    const fields = el("div", "bk-fields");
    for (const field of block.fields) fields.append(text(field, ctx));
    body.append(fields);
  }
  node.append(body);
  if (block.accessory) {
    const accessory = el("div", "bk-accessory");
    accessory.append(renderElement(block.accessory, block.block_id, ctx));
    node.append(accessory);
  }
  return node;
}

function input(block, ctx) {
  const node = el("div", "bk-input");
  node.dataset.blockId = block.block_id ?? "";
  const label = el("label", "bk-label");
  label.append(renderPlain(block.label, ctx));
  if (block.optional) label.append(el("span", "bk-optional", " (optional)"));
  const control = renderInputElement(block.element ?? {}, ctx);
  if (ctx.form && block.block_id) {
    ctx.form.set(block.block_id, { actionId: block.element?.action_id ?? "value", read: control.read });
  }
  node.append(label, control.node);
  if (block.hint) node.append(el("div", "bk-hint", plainString(block.hint)));
  const error = ctx.errors?.[block.block_id];
  if (error) {
    node.classList.add("has-error");
    node.append(el("div", "bk-error", error));
  }
  return node;
}

export function renderBlock(block, ctx) {
  switch (block.type) {
    case "header": {
      const node = el("div", "bk-header");
      node.append(renderPlain(block.text, ctx));
      return node;
    }
    case "section":
      return section(block, ctx);
    case "context": {
      const node = el("div", "bk-context");
      for (const item of block.elements ?? []) node.append(renderElement(item, block.block_id, ctx));
      return node;
    }
    case "divider":
      return el("hr", "bk-divider");
    case "actions": {
      const node = el("div", "bk-actions");
      for (const item of block.elements ?? []) node.append(renderElement(item, block.block_id, ctx));
      return node;
    }
    case "image": {
      const node = el("div", "bk-image-block");
      if (block.title) node.append(el("div", "bk-image-title", plainString(block.title)));
      node.append(image(block));
      return node;
    }
    case "rich_text":
      return richText(block, ctx);
    case "input":
      return input(block, ctx);
    default:
      return el("div", "bk-unknown", `[${block.type} block]`);
  }
}

/** A list of blocks into one container; a block that fails to render shows as a note. */
export function renderBlocks(blocks, ctx) {
  const root = el("div", "blocks");
  for (const block of blocks ?? []) {
    try {
      root.append(renderBlock(block, ctx));
    } catch (error) {
      console.error("block", block, error);
      root.append(el("div", "bk-unknown", `[${block?.type ?? "?"} block]`));
    }
  }
  return root;
}

/** Slack's view_submission state: {block_id: {action_id: element state}}. */
export function formValues(form) {
  const values = {};
  for (const [blockId, entry] of form) values[blockId] = { [entry.actionId]: entry.read() };
  return values;
}
