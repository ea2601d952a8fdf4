// Loaded by tests/test_sandbox_browser.py: every input element the page supports, rendered as
// a modal's blocks and read back as the view_submission state Slack would send (JSON string).
// Runs as a Selenium async script: arguments[0] is the callback.
const [done] = arguments;
(async () => {
  const { formValues, renderBlocks } = await import("/static/blocks.js");
  const option = (value) => ({ text: { type: "plain_text", text: `Option ${value}` }, value });
  const input = (blockId, element) => ({
    type: "input",
    block_id: blockId,
    label: { type: "plain_text", text: blockId },
    element: { action_id: "value", ...element },
  });
  const blocks = [
    input("line", { type: "plain_text_input", initial_value: "one line" }),
    input("lines", { type: "plain_text_input", multiline: true, initial_value: "a\nb" }),
    input("empty", { type: "plain_text_input" }),
    input("select", { type: "static_select", options: [option("a"), option("b")], initial_option: option("b") }),
    input("grouped", {
      type: "static_select",
      option_groups: [{ label: { type: "plain_text", text: "G" }, options: [option("x"), option("y")] }],
      initial_option: option("y"),
    }),
    input("unselected", { type: "static_select", options: [option("a")] }),
    input("multi", { type: "multi_static_select", options: [option("a"), option("b"), option("c")], initial_options: [option("a"), option("c")] }),
    input("boxes", { type: "checkboxes", options: [option("1"), option("2")], initial_options: [option("2")] }),
    input("radio", { type: "radio_buttons", options: [option("r1"), option("r2")], initial_option: option("r1") }),
    input("date", { type: "datepicker", initial_date: "2026-11-30" }),
    input("time", { type: "timepicker", initial_time: "09:30" }),
    input("number", { type: "number_input", is_decimal_allowed: false, initial_value: "42" }),
    input("person", { type: "users_select", initial_user: "U2" }),
  ];
  const form = new Map();
  const ctx = {
    userName: (id) => id,
    channelName: (id) => id,
    users: [{ id: "U1", real_name: "One" }, { id: "U2", real_name: "Two" }],
    channels: [],
    form,
    onAction: () => {},
  };
  const host = renderBlocks(blocks, ctx);
  host.id = "input-samples";
  document.body.append(host);
  // A person changes two answers before submitting.
  host.querySelector('[data-block-id="empty"] input').value = "typed";
  host.querySelectorAll('[data-block-id="boxes"] input')[0].checked = true;
  done(JSON.stringify(formValues(form)));
})().catch((error) => done(`failed: ${error}`));
