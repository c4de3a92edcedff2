// Settings → server command line and initializationOptions (no vscode import).

export interface ServerSettings {
  command: string;
  args: string[];
  pythonPath: string;
  env: Record<string, string>;
}

export interface ServerLaunch {
  command: string;
  args: string[];
  /** Where the command came from, for messages ("agentls.server.command", ...); `bundled`: the
   * server bundled with the extension, run by a Python found by interpreter.ts. */
  source: 'command' | 'pythonPath' | 'default' | 'bundled';
  env: Record<string, string>;
}

/** Reads a setting: returns undefined for anything that is not a usable value. */
export type Getter = (key: string) => unknown;

function str(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

function strList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (typeof val === 'string') out[k] = val;
    }
  }
  return out;
}

export function readServerSettings(get: Getter): ServerSettings {
  return {
    command: str(get('server.command')),
    args: strList(get('server.args')) ?? ['lsp'],
    pythonPath: str(get('server.pythonPath')),
    env: strMap(get('server.env')),
  };
}

/**
 * The server's command line:
 * 1. `agentls.server.command` + `agentls.server.args` when the command is set;
 * 2. `<agentls.server.pythonPath> -m agentls lsp` when a Python interpreter is set;
 * 3. `agentls lsp` from the PATH.
 */
export function resolveServerLaunch(s: ServerSettings): ServerLaunch {
  if (s.command) return { command: s.command, args: [...s.args], source: 'command', env: s.env };
  if (s.pythonPath) {
    return { command: s.pythonPath, args: ['-m', 'agentls', 'lsp'], source: 'pythonPath', env: s.env };
  }
  return { command: 'agentls', args: ['lsp'], source: 'default', env: s.env };
}

export function describeLaunch(l: ServerLaunch): string {
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [l.command, ...l.args].map(quote).join(' ');
}

/**
 * Finds an executable the way a shell would (absolute/relative path, or a PATH lookup).
 * `isExecutable` is injected so this stays pure and testable.
 */
export function findExecutable(
  command: string,
  pathEnv: string | undefined,
  isExecutable: (path: string) => boolean,
  cwd?: string,
): string | undefined {
  if (command.includes('/')) {
    const full = command.startsWith('/') || !cwd ? command : `${cwd.replace(/\/$/, '')}/${command}`;
    return isExecutable(full) ? full : undefined;
  }
  for (const dir of (pathEnv ?? '').split(':')) {
    if (!dir) continue;
    const full = `${dir.replace(/\/$/, '')}/${command}`;
    if (isExecutable(full)) return full;
  }
  return undefined;
}

/** The client's own setting groups (`agentls.server.*`, `agentls.trace.*`); every other
 * `agentls.*` setting is the server's (server/agentls/data/settings.json, from which
 * package.json's contributes.configuration is generated). */
export const CLIENT_SETTING_GROUPS: readonly string[] = ['server', 'trace'];

/** The `initializationOptions` payload (docs/protocol.md): the server's settings as VS Code
 * gives them (unset ones with package.json's defaults, which are the server's). Nothing is
 * checked or dropped here: the server checks every value and says what it could not take. */
export function serverOptionsPayload(section: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    if (!CLIENT_SETTING_GROUPS.includes(key) && typeof value !== 'function') out[key] = value;
  }
  return out;
}

/** Settings whose change needs a server restart (the others are sent with didChangeConfiguration). */
export const RESTART_SETTINGS: readonly string[] = [
  'agentls.server.command',
  'agentls.server.args',
  'agentls.server.pythonPath',
  'agentls.server.env',
];
