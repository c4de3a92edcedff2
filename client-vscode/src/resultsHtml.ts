// The Results view's page (no vscode import: its script is checked by the unit tests).

/** The webview's HTML: a conversation's turns, Cancel / Open as document, the follow-up box. */
export function resultsHtml(nonce: string, cspSource: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 8px; }
  header { display: flex; gap: 8px; align-items: center; position: sticky; top: 0; background: var(--vscode-sideBar-background, var(--vscode-panel-background)); padding: 4px 0; z-index: 1; }
  #title { font-weight: 600; }
  #status { opacity: .8; }
  #status.failed { color: var(--vscode-errorForeground); }
  .spacer { flex: 1; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 3px 10px; cursor: pointer; }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button[hidden] { display: none; }
  .turn { border-bottom: 1px solid var(--vscode-panel-border, transparent); padding: 6px 0; }
  .prompt { font-weight: 600; white-space: pre-wrap; }
  .prompt::before { content: "› "; opacity: .6; }
  .answer { white-space: pre-wrap; word-wrap: break-word; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); line-height: 1.4; }
  .tools, .notes, .usage, .head { opacity: .75; font-size: .9em; white-space: pre-wrap; }
  .error, .applyMessage { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  .proposal pre { background: var(--vscode-textCodeBlock-background); padding: 4px; overflow-x: auto; font-family: var(--vscode-editor-font-family); }
  .diff .add { color: var(--vscode-gitDecoration-addedResourceForeground, green); }
  .diff .del { color: var(--vscode-gitDecoration-deletedResourceForeground, red); }
  #ask { display: flex; gap: 6px; padding: 6px 0; }
  #ask[hidden] { display: none; }
  #followup { flex: 1; font-family: inherit; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); resize: vertical; }
</style>
</head>
<body>
<header>
  <span id="title">No agent run yet</span>
  <span id="status"></span>
  <span class="spacer"></span>
  <button id="cancel" hidden title="Cancel the run">Cancel</button>
  <button id="open" class="secondary" hidden title="Open the conversation as a Markdown document">Open as document</button>
</header>
<div id="hint">Select code, then run <b>agentls: Ask an agent about the selection…</b> (editor context menu or command palette), or a code action.</div>
<div id="output" role="log" aria-live="polite"></div>
<div id="ask" hidden>
  <textarea id="followup" rows="2" placeholder="Ask a follow-up (Enter sends, Shift+Enter: new line)"></textarea>
  <button id="send" title="Send the follow-up: the conversation so far goes with it">Ask</button>
</div>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  let runId = null;
  let conversation = null;
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  function diff(text) {
    const pre = el('pre', 'diff');
    for (const line of text.split('\\n')) {
      const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : '';
      pre.appendChild(el('span', cls, line + '\\n'));
    }
    return pre;
  }
  function turn(t) {
    const d = el('div', 'turn');
    d.dataset.runId = t.runId;
    d.dataset.status = t.status;
    if (t.prompt) d.appendChild(el('div', 'prompt', t.prompt));
    else d.appendChild(el('div', 'prompt', t.task));
    if (t.header) d.appendChild(el('div', 'head', t.header));
    if (t.tools.length) d.appendChild(el('div', 'tools', t.tools.map((x) => 'tool ' + x).join('\\n')));
    d.appendChild(el('div', 'answer', t.text));
    if (t.notes.length) d.appendChild(el('div', 'notes', t.notes.map((x) => 'note: ' + x).join('\\n')));
    for (const p of t.proposals) {
      const box = el('div', 'proposal');
      box.appendChild(el('div', 'head', (p.created ? 'New file ' : 'Change to ') + p.path + (p.runsCode ? ' (runs code: ' + p.runsCode + ')' : '')));
      box.appendChild(diff(p.diff));
      d.appendChild(box);
    }
    if (t.proposals.length) {
      const row = el('div', 'applyRow');
      if (t.applied === true) row.appendChild(el('span', 'applied', 'Applied.'));
      if (t.canApply) {
        const b = el('button', 'apply', 'Apply');
        b.title = 'Apply these changes exactly as shown (no new model call)';
        b.addEventListener('click', () => vscode.postMessage({ type: 'apply', runId: t.runId }));
        row.appendChild(b);
      }
      d.appendChild(row);
      if (t.applyMessage) d.appendChild(el('div', 'applyMessage', t.applyMessage));
    }
    if (t.error) d.appendChild(el('div', 'error', t.error));
    if (t.usageLine) d.appendChild(el('div', 'usage', t.usageLine));
    return d;
  }
  $('cancel').addEventListener('click', () => vscode.postMessage({ type: 'cancel', runId }));
  $('open').addEventListener('click', () => vscode.postMessage({ type: 'openAsDocument' }));
  function send() {
    const prompt = $('followup').value;
    if (!prompt.trim() || !conversation) return;
    $('followup').value = '';
    vscode.postMessage({ type: 'followUp', conversation, prompt });
  }
  $('send').addEventListener('click', send);
  $('followup').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      send();
    }
  });
  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (m.type !== 'conversation' || !m.turns.length) return;
    $('hint').hidden = true;
    const turns = m.turns;
    const r = turns[turns.length - 1];
    runId = r.runId;
    conversation = m.conversation;
    document.body.dataset.status = r.status;
    $('title').textContent = turns[0].agent + ' · ' + turns[0].task;
    $('status').textContent = r.status === 'running' ? 'running…' : r.status;
    $('status').className = r.status;
    const out = $('output');
    out.replaceChildren(...turns.map(turn));
    $('cancel').hidden = r.status !== 'running';
    $('open').hidden = r.status === 'running' || !r.text;
    $('ask').hidden = r.status === 'running';
    $('send').disabled = r.status === 'running';
  });
  vscode.postMessage({ type: 'ready' });
</script>
</body>
</html>`;
}
