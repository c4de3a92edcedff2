// agentls VS Code extension: wiring of the language client, the Agents view, runs, status bar.
import * as vscode from 'vscode';
import { AgentsProvider } from './agentsView';
import { COMMAND_RUN_AGENT, RunAgentParams } from './protocol';
import { Runner } from './runner';
import { agentFilesGlob } from './selector';
import { SECRET_KEY, ServerManager } from './server';
import { RESTART_SETTINGS } from './settings';
import { StatusBar } from './statusBar';
import { agentFileRelativePath, agentTemplate, validateAgentName } from './template';
import { AgentNode } from './tree';

let manager: ServerManager | undefined;

export interface AgentlsApi {
  /** For tests and other extensions: the server state and the agents last listed. */
  serverState(): string;
  agentNames(): string[];
}

export async function activate(context: vscode.ExtensionContext): Promise<AgentlsApi> {
  const output = vscode.window.createOutputChannel('agentls');
  context.subscriptions.push(output);

  // Created before the manager: the middleware routes the server's `agentls.runAgent` command
  // (from code actions) through the same run path as the palette, so it streams into Results.
  let runner: Runner | undefined;
  const server = new ServerManager(
    context,
    output,
    {
      executeCommand: async (command, args, next) => {
        if (command === COMMAND_RUN_AGENT && runner && args[0]) {
          return runner.run(args[0] as RunAgentParams);
        }
        return next(command, args);
      },
    },
    (client) => runner?.attach(client),
  );
  manager = server;
  context.subscriptions.push(server);

  const agents = new AgentsProvider(server);
  runner = new Runner(server, agents, context.workspaceState);
  const view = vscode.window.createTreeView('agentls.agents', { treeDataProvider: agents, showCollapseAll: true });
  agents.view = view;
  const status = new StatusBar(server, agents, runner);
  context.subscriptions.push(
    agents,
    runner,
    view,
    status,
    vscode.window.registerWebviewViewProvider('agentls.results', runner.results, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
  );

  // Refresh the Agents view: on (re)start, agent files created/changed/deleted, diagnostics changes.
  server.onDidStart(() => agents.scheduleRefresh(50), undefined, context.subscriptions);
  // the conversation shown before a reload, from the server's kept runs
  server.onDidStart(() => void runner?.restore(), undefined, context.subscriptions);
  server.onDidChangeState(() => agents.rerender(), undefined, context.subscriptions);
  const watcher = vscode.workspace.createFileSystemWatcher(agentFilesGlob());
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate(() => agents.scheduleRefresh()),
    watcher.onDidChange(() => agents.scheduleRefresh()),
    watcher.onDidDelete(() => agents.scheduleRefresh()),
    vscode.workspace.onDidSaveTextDocument(() => agents.scheduleRefresh()),
    vscode.languages.onDidChangeDiagnostics((e) => {
      const coll = server.client?.diagnostics;
      if (coll && e.uris.some((u) => coll.has(u))) {
        agents.rerender();
        agents.scheduleRefresh(1000);
      }
    }),
  );

  // Settings: server settings need a restart; the others reach the server through
  // workspace/didChangeConfiguration (languageclient `synchronize.configurationSection`).
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s))) {
        output.appendLine('[agentls] server settings changed: restarting the language server.');
        void server.restart();
      }
    }),
  );

  const reg = (id: string, fn: (...args: any[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };
  reg('agentls.restartServer', () => server.restart());
  reg('agentls.showOutput', () => output.show(true));
  reg('agentls.showInstallInstructions', () => showInstallInstructions(context));
  reg('agentls.setApiKey', () => setApiKey(context, server));
  reg('agentls.clearApiKey', async () => {
    await context.secrets.delete(SECRET_KEY);
    await server.clearApiKey();
    void vscode.window.showInformationMessage('agentls: the Anthropic API key was removed.');
  });
  reg('agentls.askAgent', () => runner?.askOnSelection());
  reg('agentls.cancelRun', () => runner?.cancel(null));
  reg('agentls.showPastRun', () => runner?.showPastRun());
  reg('agentls.agents.refresh', () => agents.refresh());
  reg('agentls.agents.new', () => newAgent());
  reg('agentls.agents.run', (n?: AgentNode) => runner?.askOnSelection(n?.agent.name));
  reg('agentls.agents.open', async (n?: AgentNode) => {
    if (!n) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(n.agent.uri));
    await vscode.window.showTextDocument(doc, { preview: true });
  });
  reg('agentls.agents.reveal', async (n?: AgentNode) => {
    if (!n) return;
    const uri = vscode.Uri.parse(n.agent.uri);
    const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
    await vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', uri);
  });

  void server.start();

  return {
    serverState: () => server.state,
    agentNames: () => agents.agents.map((a) => a.name),
  };
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
}

async function showInstallInstructions(context: vscode.ExtensionContext): Promise<void> {
  // vsce stores the README as extension/readme.md: try both spellings.
  let readme: vscode.Uri | undefined;
  for (const name of ['README.md', 'readme.md']) {
    const uri = vscode.Uri.joinPath(context.extensionUri, name);
    try {
      await vscode.workspace.fs.stat(uri);
      readme = uri;
      break;
    } catch {
      // try the next spelling
    }
  }
  if (!readme) {
    void vscode.window.showInformationMessage('agentls: reinstall the platform .vsix (it carries the server), or pipx install the agentls wheel and set agentls.server.command; then restart it.');
    return;
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', readme);
  } catch {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(readme));
  }
}

async function setApiKey(context: vscode.ExtensionContext, server: ServerManager): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: 'agentls: Anthropic API key',
    prompt: 'Stored in VS Code secret storage (never in settings.json) and handed to the agentls server.',
    password: true,
    ignoreFocusOut: true,
    placeHolder: 'sk-ant-…',
    validateInput: (v) => (v.trim() ? null : 'Enter a key, or press Escape.'),
  });
  if (key === undefined) return;
  await context.secrets.store(SECRET_KEY, key.trim());
  await server.sendApiKey();
  void vscode.window.showInformationMessage('agentls: the Anthropic API key was stored.');
}

async function newAgent(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showInformationMessage('agentls: open a folder first; agents live in its .claude/agents.');
    return;
  }
  const name = await vscode.window.showInputBox({
    title: 'agentls: New agent',
    prompt: 'Agent name (lowercase, hyphens): the file will be .claude/agents/<name>.md',
    placeHolder: 'code-reviewer',
    validateInput: (v) => validateAgentName(v.trim()),
  });
  if (!name) return;
  const uri = vscode.Uri.joinPath(folder.uri, agentFileRelativePath(name.trim()));
  try {
    await vscode.workspace.fs.stat(uri);
    void vscode.window.showWarningMessage(`agentls: ${vscode.workspace.asRelativePath(uri)} already exists.`);
    await vscode.window.showTextDocument(uri);
    return;
  } catch {
    // does not exist: create it
  }
  await vscode.workspace.fs.writeFile(uri, Buffer.from(agentTemplate(name.trim()), 'utf8'));
  const editor = await vscode.window.showTextDocument(uri);
  // Put the cursor on the description, the line a user edits first.
  const line = editor.document.getText().split('\n').findIndex((l) => l.startsWith('description:'));
  if (line >= 0) editor.selection = new vscode.Selection(line, 13, line, editor.document.lineAt(line).text.length);
}
