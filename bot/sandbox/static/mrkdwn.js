// Slack's mrkdwn → DOM nodes, built with createElement/textContent only: nothing a message says
// is ever parsed as HTML, so `<img onerror=…>` or `<script>` in a message stays text.

import { emojiFor } from "./emoji.js";

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const SPECIAL_MENTIONS = new Set(["here", "channel", "everyone"]);

// Inline tokens in the order Slack resolves them: <…> escapes first, then `code`, then styles.
// Styles only open after a non-word character and close before one, as in Slack.
const INLINE = new RegExp(
  [
    "<([^<>\\n]+)>", // 1: link, mention or special
    "`([^`\\n]+)`", // 2: code
    "(?<![\\p{L}\\p{N}*])\\*(?=\\S)([^*\\n]+?)(?<=\\S)\\*(?![\\p{L}\\p{N}*])", // 3: bold
    "(?<![\\p{L}\\p{N}_])_(?=\\S)([^_\\n]+?)(?<=\\S)_(?![\\p{L}\\p{N}_])", // 4: italic
    "(?<![\\p{L}\\p{N}~])~(?=\\S)([^~\\n]+?)(?<=\\S)~(?![\\p{L}\\p{N}~])", // 5: strike
    ":([a-z0-9_+'-]+(?:::skin-tone-[2-6])?):", // 6: emoji
  ].join("|"),
  "gu",
);

/** Slack's three escapes, decoded exactly once (so "&amp;lt;" shows "&lt;"). */
export function decodeEntities(text) {
  return String(text).replace(/&(amp|lt|gt);/g, (entity) => ENTITIES[entity]);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A URL the page may link to: http, https or mailto, nothing else (no javascript:, data:). */
export function safeHref(raw) {
  try {
    const url = new URL(decodeEntities(raw).trim());
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function link(href, label) {
  const anchor = el("a", "link", label);
  anchor.href = href;
  anchor.target = "_blank";
  anchor.rel = "noopener noreferrer";
  return anchor;
}

function angleToken(body, ctx) {
  const bar = body.indexOf("|");
  const target = bar < 0 ? body : body.slice(0, bar);
  const label = bar < 0 ? null : decodeEntities(body.slice(bar + 1));
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return el("span", "mention", `@${label || ctx.userName(id)}`);
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    return el("span", "mention channel-mention", `#${label || ctx.channelName(id)}`);
  }
  if (target.startsWith("!")) {
    const name = target.slice(1).split("^")[0];
    if (SPECIAL_MENTIONS.has(name)) return el("span", "mention special", `@${name}`);
    if (name === "subteam") return el("span", "mention special", label || "@group");
    return el("span", "special", label || name); // <!date^…|fallback> and the like
  }
  const href = safeHref(target);
  const shown = label || decodeEntities(target);
  return href ? link(href, shown) : document.createTextNode(shown);
}

function appendInline(parent, text, ctx) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) {
      parent.append(document.createTextNode(decodeEntities(text.slice(last, match.index))));
    }
    const [whole, angle, code, bold, italic, strike, emoji] = match;
    if (angle !== undefined) parent.append(angleToken(angle, ctx));
    else if (code !== undefined) parent.append(el("code", "", decodeEntities(code)));
    else if (emoji !== undefined) parent.append(emojiNode(emoji, whole));
    else {
      const tag = bold !== undefined ? "b" : italic !== undefined ? "i" : "s";
      const inner = el(tag);
      appendInline(inner, bold ?? italic ?? strike, ctx);
      parent.append(inner);
    }
    last = match.index + whole.length;
  }
  if (last < text.length) parent.append(document.createTextNode(decodeEntities(text.slice(last))));
}

function emojiNode(name, whole) {
  const glyph = emojiFor(name);
  if (!glyph) return document.createTextNode(whole);
  const span = el("span", "emoji", glyph);
  span.title = `:${name}:`;
  return span;
}

/** Lines starting with ">" (or "&gt;", as Slack stores it) are quotes; the rest is inline. */
function appendLines(parent, text, ctx) {
  const lines = text.split("\n");
  let quote = null;
  lines.forEach((line, index) => {
    const quoted = /^(&gt;|>)\s?/.exec(line);
    if (quoted) {
      if (!quote) {
        quote = el("blockquote");
        parent.append(quote);
      } else quote.append(el("br"));
      appendInline(quote, line.slice(quoted[0].length), ctx);
      return;
    }
    quote = null;
    if (index > 0 && !(parent.lastChild && parent.lastChild.tagName === "BLOCKQUOTE")) {
      parent.append(el("br"));
    }
    appendInline(parent, line, ctx);
  });
}

/** mrkdwn text → a <div class="mrkdwn"> (```pre``` blocks, quotes, inline styles, links). */
export function renderMrkdwn(text, ctx) {
  const root = el("div", "mrkdwn");
  const parts = String(text ?? "").split("```");
  parts.forEach((part, index) => {
    const isPre = index % 2 === 1 && index < parts.length - 1;
    if (isPre) root.append(el("pre", "", decodeEntities(part.replace(/^\n/, ""))));
    else if (part) appendLines(root, part, ctx);
  });
  return root;
}

/** plain_text objects, shown verbatim as Slack does; :emoji: shown unless `emoji` is false. */
export function renderPlain(textObject, ctx) {
  const span = el("span", "plain");
  if (!textObject) return span;
  if (typeof textObject === "string") return renderPlain({ text: textObject }, ctx);
  if (textObject.type === "mrkdwn") {
    const inner = renderMrkdwn(textObject.text, ctx);
    inner.classList.add("inline");
    return inner;
  }
  const text = String(textObject.text ?? "");
  if (textObject.emoji === false) {
    span.textContent = text;
    return span;
  }
  let last = 0;
  for (const match of text.matchAll(/:([a-z0-9_+'-]+):/g)) {
    span.append(document.createTextNode(text.slice(last, match.index)));
    span.append(emojiNode(match[1], match[0]));
    last = match.index + match[0].length;
  }
  span.append(document.createTextNode(text.slice(last)));
  return span;
}

/** The text of a text object as plain characters (for <option> labels and titles). */
export function plainString(textObject) {
  if (!textObject) return "";
  const text = String(typeof textObject === "string" ? textObject : textObject.text ?? "");
  return text.replace(/:([a-z0-9_+'-]+):/g, (whole, name) => emojiFor(name) || whole);
}
