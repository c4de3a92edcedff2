// The Results view: a webview that shows the streamed answer of the current agent run.
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { RunView } from './runState';

export interface ResultsMessage {
  type: 'cancel' | 'openAsDocument' | 'ready';
  runId?: string | null;
}

export class ResultsView implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'agentls.results';
  private view: vscode.WebviewView | undefined;
  private last: RunView | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly onCancel: (runId: string | null) => void,
    private readonly onOpenAsDocument: () => void,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [] };
    view.webview.html = html(crypto.randomBytes(16).toString('base64'), view.webview.cspSource);
    this.disposables.push(
      view.webview.onDidReceiveMessage((m: ResultsMessage) => {
        if (m.type === 'cancel') this.onCancel(m.runId ?? null);
        else if (m.type === 'openAsDocument') this.onOpenAsDocument();
        else if (m.type === 'ready') this.flush();
      }),
      view.onDidDispose(() => {
        this.view = undefined;
      }),
    );
  }

  /** Shows the view (without taking the focus from the editor). */
  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${ResultsView.viewId}.focus`, { preserveFocus: true });
  }

  /** Shows a run; updates are throttled (the webview is re-rendered at most every 50 ms). */
  update(run: RunView): void {
    this.last = run;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 50);
  }

  private flush(): void {
    if (!this.view) return;
    const r = this.last;
    if (!r) return;
    void this.view.webview.postMessage({ type: 'run', run: { ...r } });
    this.view.description = `${r.agent} · ${r.task} · ${r.status}`;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

function html(nonce: string, cspSource: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 8px; }
  header { display: flex; gap: 8px; align-items: center; position: sticky; top: 0; background: var(--vscode-sideBar-background, var(--vscode-panel-background)); padding: 4px 0; }
  #title { font-weight: 600; }
  #status { opacity: .8; }
  #status.failed { color: var(--vscode-errorForeground); }
  .spacer { flex: 1; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 3px 10px; cursor: pointer; }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button[hidden] { display: none; }
  #output { white-space: pre-wrap; word-wrap: break-word; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); line-height: 1.4; }
  #tools, #usage, #header { opacity: .75; font-size: .9em; }
  #error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
</style>
</head>
<body>
<header>
  <span id="title">No agent run yet</span>
  <span id="status"></span>
  <span class="spacer"></span>
  <button id="cancel" hidden title="Cancel the run">Cancel</button>
  <button id="open" class="secondary" hidden title="Open the answer as a Markdown document">Open as document</button>
</header>
<div id="header"></div>
<div id="hint">Select code, then run <b>agentls: Ask an agent about the selection…</b> (editor context menu or command palette), or a code action.</div>
<div id="tools"></div>
<div id="output" role="log" aria-live="polite"></div>
<div id="error"></div>
<div id="usage"></div>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  let runId = null;
  $('cancel').addEventListener('click', () => vscode.postMessage({ type: 'cancel', runId }));
  $('open').addEventListener('click', () => vscode.postMessage({ type: 'openAsDocument' }));
  window.addEventListener('message', (ev) => {
    const m = ev.data;
    $('hint').hidden = true;
    if (m.type !== 'run') return;
    const r = m.run;
    runId = r.runId;
    document.body.dataset.status = r.status;
    $('title').textContent = r.agent + ' · ' + r.task;
    $('status').textContent = r.status === 'running' ? 'running…' : r.status;
    $('status').className = r.status;
    $('header').textContent = r.header || '';
    $('output').textContent = r.text;
    $('tools').textContent = r.tools.length ? 'Tools: ' + r.tools.join(' · ') : '';
    $('error').textContent = r.error || '';
    $('usage').textContent = r.usage ? ('Tokens: ' + r.usage.input_tokens + ' in, ' + r.usage.output_tokens + ' out') : '';
    $('cancel').hidden = r.status !== 'running';
    $('open').hidden = r.status === 'running' || !r.text;
  });
  vscode.postMessage({ type: 'ready' });
</script>
</body>
</html>`;
}
