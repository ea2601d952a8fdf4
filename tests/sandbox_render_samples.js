// Loaded by tests/test_sandbox_browser.py: raw, hostile Slack markup through the page's renderer.
// Runs as a Selenium async script: arguments[0] is the callback.
const [done] = arguments;
window.__xss = false;
(async () => {
const {renderMrkdwn} = await import('/static/mrkdwn.js');
const {renderBlocks} = await import('/static/blocks.js');
const ctx = {userName: (id) => id === 'U1' ? 'Ann' : id, channelName: () => 'sales',
             users: [], channels: [], onAction: () => {}};
const texts = [
    '<javascript:window.__xss=true|js link>', '<data:text/html,<b>x</b>|data link>',
    '<img src=x onerror="window.__xss=true">', '<script>window.__xss=true</script>',
    '<!here> <!channel> <!everyone> <!subteam^S1|@sales-team>',
    '*bold* _italic_ ~strike~ `code &lt;b&gt;` &amp;lt; <@U1> <#C1|sales>',
    '<https://example.com/a?b=1&amp;c=2|Example> <mailto:a@example.com|mail>',
    '&gt; quoted\n```<b>pre</b>```', ':raising_hand: :+1: :no_such_emoji:',
];
const host = document.createElement('div');
host.id = 'render-samples';
for (const text of texts) host.append(renderMrkdwn(text, ctx));
host.append(renderBlocks([
    {type: 'section', text: {type: 'plain_text', text: '<img src=x onerror="window.__xss=true">'},
     accessory: {type: 'image', image_url: 'https://evil.example/x.png', alt_text: 'remote'}},
    {type: 'actions', elements: [{type: 'button', action_id: 'a', url: 'javascript:window.__xss=true',
     text: {type: 'plain_text', text: 'Button'}}]},
    {type: 'rich_text', elements: [{type: 'rich_text_section', elements: [
        {type: 'link', url: 'javascript:window.__xss=true', text: 'rich js'},
        {type: 'text', text: '<script>window.__xss=true</script>'}]}]},
], ctx));
document.body.append(host);
setTimeout(() => done(host.outerHTML), 300);
})().catch((error) => done(String(error)));
