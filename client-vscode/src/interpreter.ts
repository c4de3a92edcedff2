// Which Python runs the server bundled with the extension (no vscode import: unit-tested).
//
// The platform .vsix carries agentls and its dependencies in bundled/libs (common/ for the
// pure-Python packages, cpXY/ for the compiled ones of each CPython version) and
// bundled/tool/agentls_server.py, which puts them on sys.path. Any CPython whose X.Y has a
// cpXY folder can run it: the Python extension's selected interpreter when that extension is
// installed, else python3 / python (py -3 on Windows) from the PATH.

/** bundled/libs/manifest.json, written by scripts/package.py. */
export interface BundleManifest {
  agentls: string;
  target: string;
  /** "3.11", "3.12"...: the CPython versions the compiled libraries were bundled for. */
  pythons: string[];
}

export function parseManifest(text: string): BundleManifest | undefined {
  try {
    const m = JSON.parse(text) as Partial<BundleManifest>;
    if (typeof m.agentls !== 'string' || typeof m.target !== 'string') return undefined;
    if (!Array.isArray(m.pythons) || !m.pythons.every((p) => typeof p === 'string' && /^3\.\d+$/.test(p))) return undefined;
    return { agentls: m.agentls, target: m.target, pythons: m.pythons };
  } catch {
    return undefined;
  }
}

export type CandidateSource = 'python-extension' | 'path';

/** A way to run a Python interpreter: `command ...args <python options>`. */
export interface Candidate {
  command: string;
  args: string[];
  source: CandidateSource;
}

/** Interpreters looked for on the PATH, in order. On Windows `py -3` (the launcher, the one
 * python.org installs put on the PATH) comes first: `python3.exe` there is often the
 * Microsoft Store stub, which only opens the Store (its probe fails, and the next is tried). */
export function pathCandidates(platform: string): Candidate[] {
  const names: Array<[string, string[]]> =
    platform === 'win32'
      ? [
          ['py', ['-3']],
          ['python', []],
          ['python3', []],
        ]
      : [
          ['python3', []],
          ['python', []],
        ];
  return names.map(([command, args]) => ({ command, args, source: 'path' }));
}

/** Every candidate, the Python extension's interpreter first. */
export function candidates(pythonExtensionInterpreter: string | undefined, platform: string): Candidate[] {
  const out: Candidate[] = [];
  if (pythonExtensionInterpreter) out.push({ command: pythonExtensionInterpreter, args: [], source: 'python-extension' });
  return [...out, ...pathCandidates(platform)];
}

/** Run with `-I -S -c`: what the interpreter is, in one JSON line (about 20 ms). */
export const PROBE_CODE =
  'import json, sys, sysconfig; print(json.dumps({"impl": sys.implementation.name, ' +
  '"version": list(sys.version_info[:3]), "executable": sys.executable, ' +
  '"freeThreaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED"))}))';

export interface PythonInfo {
  impl: string;
  version: [number, number, number];
  executable: string;
  freeThreaded: boolean;
}

export function probeArgs(c: Candidate): string[] {
  return [...c.args, '-I', '-S', '-c', PROBE_CODE];
}

export function parseProbe(stdout: string): PythonInfo | undefined {
  const line = stdout.trim().split(/\r?\n/).pop() ?? '';
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const v = o.version;
    if (typeof o.impl !== 'string' || typeof o.executable !== 'string' || !o.executable) return undefined;
    if (!Array.isArray(v) || v.length !== 3 || !v.every((n) => Number.isInteger(n))) return undefined;
    return { impl: o.impl, version: v as [number, number, number], executable: o.executable, freeThreaded: o.freeThreaded === true };
  } catch {
    return undefined;
  }
}

/** The outcome of probing one candidate: what it is, or why it could not be asked. */
export interface Probe {
  candidate: Candidate;
  info?: PythonInfo;
  /** "not found", "timed out", the first line of its error... */
  error?: string;
}

export function minorVersion(info: PythonInfo): string {
  return `${info.version[0]}.${info.version[1]}`;
}

/** Whether the bundle can run on this interpreter; undefined when it can, else why not. */
export function unsuitable(info: PythonInfo, manifest: BundleManifest): string | undefined {
  const v = info.version.join('.');
  if (info.impl !== 'cpython') return `is ${info.impl} ${v}, not CPython`;
  if (info.freeThreaded) return `is a free-threaded build (${v}t)`;
  if (manifest.pythons.includes(minorVersion(info))) return undefined;
  const [lo, hi] = range(manifest);
  if (compareMinor(minorVersion(info), lo) < 0) return `is Python ${v}, older than ${lo}`;
  if (compareMinor(minorVersion(info), hi) > 0) return `is Python ${v}, newer than ${hi}, the newest this extension bundles`;
  return `is Python ${v}, which this build of the extension does not bundle (${manifest.pythons.join(', ')})`;
}

export type Choice =
  | { kind: 'bundled'; candidate: Candidate; info: PythonInfo }
  | { kind: 'none'; message: string };

/** The first candidate, in order, that can run the bundle; else the one message to show. */
export function choose(probes: Probe[], manifest: BundleManifest): Choice {
  for (const p of probes) {
    if (p.info && unsuitable(p.info, manifest) === undefined) return { kind: 'bundled', candidate: p.candidate, info: p.info };
  }
  return { kind: 'none', message: noPythonMessage(probes, manifest) };
}

function describeCandidate(c: Candidate): string {
  const cmd = [c.command, ...c.args].join(' ');
  return c.source === 'python-extension' ? `the Python extension's interpreter ${cmd}` : `\`${cmd}\``;
}

/** One message: what was found, what to install, and the other ways out. */
export function noPythonMessage(probes: Probe[], manifest: BundleManifest): string {
  const [lo, hi] = range(manifest);
  const found = probes.map((p) => {
    if (!p.info) return `${describeCandidate(p.candidate)} ${p.error === 'not found' ? 'was not found' : `did not answer (${p.error ?? 'no output'})`}`;
    const why = unsuitable(p.info, manifest) ?? 'is suitable';
    return `${describeCandidate(p.candidate)} ${why}`;
  });
  return (
    `agentls needs Python ${lo === hi ? lo : `${lo}–${hi}`} (CPython) to run its language server. ` +
    `${found.join('; ')}. ` +
    `Install Python ${hi} from python.org or your system's package manager (then reload the window), ` +
    `or select a Python ${lo}+ interpreter in the Python extension; ` +
    'or install agentls yourself (pipx) and set agentls.server.command.'
  );
}

function compareMinor(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

/** The lowest and highest version of the bundle. */
export function range(manifest: BundleManifest): [string, string] {
  const sorted = [...manifest.pythons].sort(compareMinor);
  return [sorted[0] ?? '3.11', sorted[sorted.length - 1] ?? '3.11'];
}

/**
 * The server's command-line arguments after the interpreter: isolated (`-I`: no PYTHON*
 * variables, no user site-packages, no script folder on sys.path) and without site-packages
 * (`-S`), so the bundle is all that is imported; the byte-code cache goes to the extension's
 * storage (`-X pycache_prefix`, which `-I` does not turn off), one folder per extension version.
 */
export function bundledArgs(bootstrap: string, pycacheDir: string): string[] {
  return ['-I', '-S', '-X', `pycache_prefix=${pycacheDir}`, bootstrap, 'lsp'];
}

/** Folders of the byte-code cache left by other versions of the extension (deleted on start). */
export function staleCaches(entries: string[], extensionVersion: string): string[] {
  return entries.filter((e) => e !== extensionVersion);
}

// The Python extension's API (ms-python.python, `environments`), as much as is used here.
export interface PythonEnvironmentsApi {
  environments: {
    getActiveEnvironmentPath(resource?: unknown): { id: string; path: string };
    resolveEnvironment(env: { id: string; path: string } | string): Promise<{ executable: { uri?: { fsPath: string } } } | undefined>;
    onDidChangeActiveEnvironmentPath?: (listener: () => unknown) => { dispose(): unknown };
  };
}

/** The interpreter the Python extension has selected for `resource`, or undefined. */
export async function selectedInterpreter(api: PythonEnvironmentsApi | undefined, resource?: unknown): Promise<string | undefined> {
  const envs = api?.environments;
  if (!envs || typeof envs.getActiveEnvironmentPath !== 'function') return undefined;
  try {
    const active = envs.getActiveEnvironmentPath(resource);
    const resolved = await envs.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath || undefined;
  } catch {
    return undefined;
  }
}
