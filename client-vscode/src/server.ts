// Starting, stopping and restarting the agentls language server.
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  CloseAction,
  DocumentSelector,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  Middleware,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import {
  bundledArgs,
  BundleManifest,
  Candidate,
  candidates,
  choose,
  minorVersion,
  parseManifest,
  parseProbe,
  Probe,
  probeArgs,
  PythonEnvironmentsApi,
  selectedInterpreter,
  staleCaches,
  unsuitable,
} from './interpreter';
import { SetApiKeyParams, setApiKey } from './protocol';
import { documentSelector } from './selector';
import {
  describeLaunch,
  findExecutable,
  readServerSettings,
  resolveServerLaunch,
  ServerLaunch,
  serverOptionsPayload,
} from './settings';

export type ServerState = 'stopped' | 'starting' | 'running' | 'failed';

/**
 * The language client, minus its own error pop-ups while the server starts: when the server
 * cannot start, the extension shows one message that says what was tried and what to do
 * (with "Install instructions"), instead of "couldn't create connection to server" and
 * "connection to server is erroring" notifications. Everything is still logged.
 */
class AgentlsClient extends LanguageClient {
  quiet = true;

  override error(message: string, data?: unknown, showNotification: boolean | 'force' = true): void {
    super.error(message, data, this.quiet ? false : showNotification);
  }
}

export const SECRET_KEY = 'agentls.anthropicApiKey';

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export class ServerManager implements vscode.Disposable {
  client: LanguageClient | undefined;
  state: ServerState = 'stopped';
  lastError: string | null = null;
  launch: ServerLaunch | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly startedEmitter = new vscode.EventEmitter<LanguageClient>();
  /** Fires each time a client has started (first start and every restart). */
  readonly onDidStart = this.startedEmitter.event;
  private busy: Promise<void> = Promise.resolve();
  private crashes: number[] = [];
  /** For messages: which Python runs the bundled server ("Python 3.12.4 from `python3`"). */
  private bundledFrom = '';
  /** Written once the bundled server has run with this extension version and Python X.Y. */
  private startedMarker: string | undefined;
  private watchingPythonExtension = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.OutputChannel,
    private readonly middleware: Middleware,
    private readonly onClientCreated: (client: LanguageClient) => void,
  ) {}

  private setState(s: ServerState): void {
    this.state = s;
    this.stateEmitter.fire(s);
  }

  /** Serialises start/stop/restart so that two restarts never race. */
  private queue(op: () => Promise<void>): Promise<void> {
    this.busy = this.busy.then(op, op);
    return this.busy;
  }

  start(): Promise<void> {
    return this.queue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.queue(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.queue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  private async doStop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) {
      try {
        if (c.state !== State.Stopped) await c.stop(5000);
      } catch (e) {
        this.output.appendLine(`[agentls] stopping the server: ${String(e)}`);
      }
      await c.dispose().catch(() => undefined);
    }
    this.setState('stopped');
  }

  private async doStart(): Promise<void> {
    const cfg = vscode.workspace.getConfiguration('agentls');
    const get = (k: string): unknown => cfg.get(k);
    const t0 = Date.now();
    let launch = resolveServerLaunch(readServerSettings(get));
    this.launch = launch;
    this.lastError = null;
    this.setState('starting');
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const env = { ...process.env, ...launch.env };
    let firstStart = false;
    const bundle = launch.source === 'default' ? this.bundle() : undefined;
    if (bundle) {
      // No agentls.server.* setting: the server bundled with the extension, if a Python can run it.
      const r = await this.bundledLaunch(bundle, launch.env, env);
      if (r.kind === 'launch') {
        launch = r.launch;
        this.launch = launch;
        firstStart = r.firstStart;
      } else if (findExecutable(launch.command, env.PATH, isExecutable, cwd)) {
        this.output.appendLine(`[agentls] ${r.message}`);
        this.output.appendLine('[agentls] using `agentls` from the PATH instead.');
      } else {
        this.failNoPython(r.message);
        return;
      }
    }
    const exe = launch.source === 'bundled' ? launch.command : findExecutable(launch.command, env.PATH, isExecutable, cwd);
    if (!exe) {
      this.fail(launch, `\`${launch.command}\` was not found${launch.command.includes('/') ? '' : ' on the PATH'}.`);
      return;
    }
    this.output.appendLine(`[agentls] starting: ${describeLaunch(launch)}  (from ${this.launchSource(launch)})`);
    const serverOptions: ServerOptions = {
      command: exe,
      args: launch.args,
      transport: TransportKind.stdio,
      options: { env, cwd },
    };
    let startFailed = false;
    let everRan = false;
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector() as DocumentSelector,
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      // the `agentls` section as plain values (JSON drops the configuration object's methods)
      initializationOptions: serverOptionsPayload(JSON.parse(JSON.stringify(cfg)) as Record<string, unknown>),
      // Sends workspace/didChangeConfiguration with the `agentls` section when a setting changes.
      synchronize: { configurationSection: 'agentls' },
      middleware: this.middleware,
      initializationFailedHandler: (error) => {
        startFailed = true;
        this.output.appendLine(`[agentls] initialize failed: ${String(error)}`);
        return false;
      },
      errorHandler: {
        // Logged by the client; the state and close handlers below report what matters.
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => {
          if (!everRan) return { action: CloseAction.DoNotRestart, handled: true };
          // The process went away after a successful start: restart it, at most 3 times in 3 min.
          const now = Date.now();
          this.crashes = this.crashes.filter((t) => now - t < 180_000);
          this.crashes.push(now);
          if (this.crashes.length <= 3) {
            this.output.appendLine('[agentls] the language server exited; restarting it.');
            return { action: CloseAction.Restart, handled: true };
          }
          this.lastError = 'The language server exited 4 times in 3 minutes.';
          this.setState('failed');
          void this.offerRestart('The agentls language server exited 4 times in 3 minutes and was not restarted.');
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new AgentlsClient('agentls', 'agentls', serverOptions, clientOptions);
    this.onClientCreated(client);
    client.onDidChangeState((e) => {
      if (this.client !== client) return;
      if (e.newState === State.Running) {
        everRan = true;
        client.quiet = false;
        // read by the VS Code end-to-end test (first and second start of the bundled server)
        this.output.appendLine(`[agentls] language server running after ${Date.now() - t0} ms${firstStart ? ' (first start)' : ''}`);
        if (firstStart && this.startedMarker) fs.writeFile(this.startedMarker, '', () => undefined);
        this.setState('running');
        // On the first start and on every automatic restart: key, then listeners (Agents view...).
        void this.sendApiKey().finally(() => this.startedEmitter.fire(client));
      } else if (e.newState === State.Starting) {
        this.setState('starting');
      }
    });
    this.client = client;
    try {
      const starting = client.start();
      if (firstStart) {
        // Python compiles the bundle's modules once per extension version: 9.8-12.9 s against
        // 1.8-5.1 s for the next start in the end-to-end test on the loaded 2-core machine
        void vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'agentls: first start of the bundled language server…' },
          () => starting.catch(() => undefined),
        );
      }
      await starting;
      // vscode-languageclient 9 resolves start() without a server when the server exits after
      // reading `initialize` but before answering: its connection-closed handler runs before
      // the initialize failure reaches start() and clears the promise start() then returns.
      // Without this check the server would be shown as "starting" for ever, with no message.
      if (!everRan) throw new Error('the server exited before answering initialize');
    } catch (e) {
      this.client = undefined;
      await client.dispose().catch(() => undefined);
      const detail = firstLine(String((e as Error)?.message ?? e));
      this.output.appendLine(`[agentls] start failed: ${detail}`);
      this.fail(
        launch,
        startFailed
          ? 'It exited or failed during start-up; its messages are in the agentls output.'
          : `It could not be started: ${detail}.`,
      );
      return;
    }
  }

  private launchSource(l: ServerLaunch): string {
    switch (l.source) {
      case 'command':
        return 'agentls.server.command';
      case 'pythonPath':
        return 'agentls.server.pythonPath';
      case 'bundled':
        return `the server bundled with the extension, ${this.bundledFrom}`;
      default:
        return 'default: agentls on the PATH';
    }
  }

  /** The bundle of a platform .vsix (bundled/libs/manifest.json), if this is one. */
  private bundle(): { manifest: BundleManifest; bootstrap: string } | undefined {
    const root = path.join(this.context.extensionPath, 'bundled');
    let manifest: BundleManifest | undefined;
    try {
      manifest = parseManifest(fs.readFileSync(path.join(root, 'libs', 'manifest.json'), 'utf8'));
    } catch {
      return undefined; // a platform-neutral .vsix, or a development build: agentls from the PATH
    }
    return manifest && { manifest, bootstrap: path.join(root, 'tool', 'agentls_server.py') };
  }

  /** How to run the bundled server: the first suitable interpreter (the Python extension's,
   * then the PATH's), and the byte-code cache of this extension version. */
  private async bundledLaunch(
    bundle: { manifest: BundleManifest; bootstrap: string },
    settingsEnv: Record<string, string>,
    env: NodeJS.ProcessEnv,
  ): Promise<{ kind: 'launch'; launch: ServerLaunch; firstStart: boolean } | { kind: 'none'; message: string }> {
    const api = await this.pythonExtension();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const list = candidates(await selectedInterpreter(api, resource), process.platform);
    const probes: Probe[] = [];
    for (const c of list) {
      const p = await probe(c, env);
      probes.push(p);
      if (p.info && unsuitable(p.info, bundle.manifest) === undefined) break; // the rest is not needed
    }
    const choice = choose(probes, bundle.manifest);
    if (choice.kind === 'none') return choice;
    const from = choice.candidate.source === 'python-extension' ? 'the Python extension\'s interpreter' : `\`${[choice.candidate.command, ...choice.candidate.args].join(' ')}\` on the PATH`;
    this.bundledFrom = `Python ${choice.info.version.join('.')} (${from})`;
    // One cache folder per extension version: an upgrade starts a fresh one, the old is removed.
    const caches = path.join(this.context.globalStorageUri.fsPath, 'pycache');
    const version = String(this.context.extension.packageJSON.version ?? 'dev');
    const pycache = path.join(caches, version);
    this.startedMarker = path.join(pycache, `.started-${minorVersion(choice.info)}`);
    const firstStart = !fs.existsSync(this.startedMarker);
    try {
      fs.mkdirSync(pycache, { recursive: true });
      for (const old of staleCaches(fs.readdirSync(caches), version)) {
        fs.rmSync(path.join(caches, old), { recursive: true, force: true });
      }
    } catch (e) {
      this.output.appendLine(`[agentls] byte-code cache ${pycache}: ${String(e)}`);
    }
    const launch: ServerLaunch = {
      command: choice.info.executable,
      args: bundledArgs(bundle.bootstrap, pycache),
      source: 'bundled',
      env: settingsEnv,
    };
    return { kind: 'launch', launch, firstStart };
  }

  /** The Python extension's API, when it is installed (activated if need be). */
  private async pythonExtension(): Promise<PythonEnvironmentsApi | undefined> {
    const ext = vscode.extensions.getExtension<PythonEnvironmentsApi>('ms-python.python');
    if (!ext) return undefined;
    try {
      const api = ext.isActive ? ext.exports : await Promise.race([ext.activate(), timeout(15_000)]);
      const change = api?.environments?.onDidChangeActiveEnvironmentPath;
      if (api && change && !this.watchingPythonExtension) {
        this.watchingPythonExtension = true;
        // another interpreter selected: the bundled server restarts with it
        this.context.subscriptions.push(
          change(() => {
            if (this.launch?.source === 'bundled') void this.restart();
          }),
        );
      }
      return api ?? undefined;
    } catch (e) {
      this.output.appendLine(`[agentls] the Python extension's API: ${String(e)}`);
      return undefined;
    }
  }

  /** The one message when no Python can run the bundled server. */
  private failNoPython(message: string): void {
    this.lastError = message;
    this.setState('failed');
    this.output.appendLine(`[agentls] ${message}`);
    void (async () => {
      const pick = await vscode.window.showErrorMessage(message, 'Download Python', 'Open settings', 'Show output');
      if (pick === 'Download Python') await vscode.env.openExternal(vscode.Uri.parse('https://www.python.org/downloads/'));
      else if (pick === 'Open settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'agentls.server');
      else if (pick === 'Show output') this.output.show(true);
    })();
  }

  private fail(launch: ServerLaunch, why: string): void {
    this.lastError = why;
    this.setState('failed');
    this.output.appendLine(`[agentls] could not start the language server \`${describeLaunch(launch)}\`: ${why}`);
    void this.showStartError(launch, why);
  }

  private async showStartError(launch: ServerLaunch, why: string): Promise<void> {
    const pick = await vscode.window.showErrorMessage(
      `agentls: could not start the language server \`${describeLaunch(launch)}\`. ${why} ` +
        'Install the platform .vsix, which carries the server, or pipx install the agentls wheel (it is not on PyPI) and set agentls.server.command, or set agentls.server.pythonPath.',
      'Install instructions',
      'Open settings',
      'Show output',
    );
    if (pick === 'Install instructions') await vscode.commands.executeCommand('agentls.showInstallInstructions');
    else if (pick === 'Open settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'agentls.server');
    else if (pick === 'Show output') this.output.show(true);
  }

  private async offerRestart(message: string): Promise<void> {
    const pick = await vscode.window.showErrorMessage(`${message} See the agentls output for details.`, 'Restart', 'Show output');
    if (pick === 'Restart') await this.restart();
    else if (pick === 'Show output') this.output.show(true);
  }

  /** Hands the key from SecretStorage to the server (agentls/setApiKey). */
  async sendApiKey(): Promise<void> {
    const c = this.client;
    if (!c || c.state !== State.Running) return;
    const apiKey = (await this.context.secrets.get(SECRET_KEY)) ?? null;
    if (apiKey === null) return;
    const params: SetApiKeyParams = { apiKey };
    await c.sendNotification(setApiKey, params);
  }

  async clearApiKey(): Promise<void> {
    const c = this.client;
    if (!c || c.state !== State.Running) return;
    const params: SetApiKeyParams = { apiKey: null };
    await c.sendNotification(setApiKey, params);
  }

  running(): LanguageClient | undefined {
    return this.client && this.client.state === State.Running ? this.client : undefined;
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
    this.startedEmitter.dispose();
  }
}


function firstLine(s: string): string {
  return s.split('\n')[0].replace(/\.$/, '');
}

/** Asks an interpreter what it is (`-I -S -c PROBE_CODE`, ~20 ms). */
function probe(c: Candidate, env: NodeJS.ProcessEnv): Promise<Probe> {
  return new Promise((resolve) => {
    cp.execFile(c.command, probeArgs(c), { env, timeout: 10_000, windowsHide: true }, (err, stdout) => {
      const info = parseProbe(String(stdout ?? ''));
      if (info) resolve({ candidate: c, info });
      else if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve({ candidate: c, error: 'not found' });
      else resolve({ candidate: c, error: err ? firstLine(err.message) : 'no answer' });
    });
  });
}

function timeout(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}
