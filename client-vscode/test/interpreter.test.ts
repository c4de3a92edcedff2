import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BundleManifest,
  bundledArgs,
  Candidate,
  candidates,
  choose,
  noPythonMessage,
  parseManifest,
  parseProbe,
  Probe,
  probeArgs,
  PythonEnvironmentsApi,
  PythonInfo,
  range,
  selectedInterpreter,
  staleCaches,
  unsuitable,
} from '../src/interpreter';

const manifest: BundleManifest = { agentls: '0.1.0', target: 'linux-x64', pythons: ['3.12', '3.11', '3.14', '3.13'] };

const py = (version: [number, number, number], extra: Partial<PythonInfo> = {}): PythonInfo => ({
  impl: 'cpython',
  version,
  executable: `/usr/bin/python${version[0]}.${version[1]}`,
  freeThreaded: false,
  ...extra,
});

const onPath = (command: string): Candidate => ({ command, args: [], source: 'path' });

test('manifest: read, and refused when malformed', () => {
  assert.deepEqual(parseManifest(JSON.stringify({ ...manifest, compiled: {} })), manifest);
  assert.equal(parseManifest('{'), undefined);
  assert.equal(parseManifest(JSON.stringify({ ...manifest, pythons: ['3'] })), undefined);
  assert.equal(parseManifest(JSON.stringify({ target: 'x', pythons: [] })), undefined);
  assert.deepEqual(range(manifest), ['3.11', '3.14']);
});

test('candidates: the Python extension first, then the PATH (py -3 first on Windows)', () => {
  const linux = candidates('/proj/.venv/bin/python', 'linux');
  assert.deepEqual(
    linux.map((c) => [c.source, c.command, ...c.args]),
    [
      ['python-extension', '/proj/.venv/bin/python'],
      ['path', 'python3'],
      ['path', 'python'],
    ],
  );
  assert.deepEqual(
    candidates(undefined, 'win32').map((c) => [c.command, ...c.args]),
    [['py', '-3'], ['python'], ['python3']],
  );
  assert.deepEqual(
    candidates(undefined, 'darwin').map((c) => c.command),
    ['python3', 'python'],
  );
});

test('probe: isolated, prefix arguments kept; its answer parsed, junk refused', () => {
  const args = probeArgs({ command: 'py', args: ['-3'], source: 'path' });
  assert.deepEqual(args.slice(0, 4), ['-3', '-I', '-S', '-c']);
  const line = '{"impl": "cpython", "version": [3, 12, 4], "executable": "/usr/bin/python3.12", "freeThreaded": false}';
  assert.deepEqual(parseProbe(`some banner\n${line}\n`), py([3, 12, 4], { executable: '/usr/bin/python3.12' }));
  assert.equal(parseProbe('Python was not found; run without arguments to install from the Microsoft Store'), undefined);
  assert.equal(parseProbe('{"impl": "cpython", "version": [3, 12], "executable": "/x"}'), undefined);
  assert.equal(parseProbe(''), undefined);
});

test('suitable: CPython of a bundled version, not free-threaded', () => {
  assert.equal(unsuitable(py([3, 11, 0]), manifest), undefined);
  assert.equal(unsuitable(py([3, 14, 1]), manifest), undefined);
  assert.match(unsuitable(py([3, 10, 12]), manifest) ?? '', /3\.10\.12, older than 3\.11/);
  assert.match(unsuitable(py([3, 15, 0]), manifest) ?? '', /newer than 3\.14/);
  const gap = { ...manifest, pythons: ['3.11', '3.13'] };
  assert.match(unsuitable(py([3, 12, 3]), gap) ?? '', /does not bundle \(3\.11, 3\.13\)/);
  assert.match(unsuitable(py([3, 13, 1], { freeThreaded: true }), manifest) ?? '', /free-threaded/);
  assert.match(unsuitable(py([3, 11, 9], { impl: 'pypy' }), manifest) ?? '', /pypy.*not CPython/);
});

test('choose: the first suitable candidate in order', () => {
  const ext: Candidate = { command: '/proj/.venv/bin/python', args: [], source: 'python-extension' };
  const probes: Probe[] = [
    { candidate: ext, info: py([3, 10, 4]) },
    { candidate: onPath('python3'), info: py([3, 12, 1]) },
    { candidate: onPath('python'), info: py([3, 13, 0]) },
  ];
  const c = choose(probes, manifest);
  assert.equal(c.kind, 'bundled');
  assert.equal(c.kind === 'bundled' && c.candidate.command, 'python3');
  // the Python extension's interpreter wins when it is suitable
  const first = choose([{ candidate: ext, info: py([3, 11, 2]) }, ...probes.slice(1)], manifest);
  assert.equal(first.kind === 'bundled' && first.candidate.source, 'python-extension');
});

test('no suitable Python: one message that says what was found and what to install', () => {
  const probes: Probe[] = [
    { candidate: onPath('python3'), info: py([3, 9, 2]) },
    { candidate: onPath('python'), error: 'not found' },
  ];
  const c = choose(probes, manifest);
  assert.equal(c.kind, 'none');
  const msg = c.kind === 'none' ? c.message : '';
  assert.equal(msg, noPythonMessage(probes, manifest));
  assert.match(msg, /needs Python 3\.11–3\.14/);
  assert.match(msg, /`python3` is Python 3\.9\.2, older than 3\.11/);
  assert.match(msg, /`python` was not found/);
  assert.match(msg, /Install Python 3\.14/);
  assert.match(msg, /agentls\.server\.command/);
  // nothing at all on the PATH
  const none = choose([{ candidate: onPath('python3'), error: 'not found' }], manifest);
  assert.match(none.kind === 'none' ? none.message : '', /`python3` was not found/);
  // a probe that failed otherwise
  const broken = choose([{ candidate: onPath('python3'), error: 'timed out' }], manifest);
  assert.match(broken.kind === 'none' ? broken.message : '', /did not answer \(timed out\)/);
  // a bundle of one version names it once
  const one = noPythonMessage([{ candidate: onPath('python3'), info: py([3, 10, 1]) }], { ...manifest, pythons: ['3.12'] });
  assert.match(one, /needs Python 3\.12 \(CPython\)/);
  assert.match(one, /older than 3\.12/);
});

test('launch arguments: isolated, no site-packages, byte-code cache in the extension storage', () => {
  assert.deepEqual(bundledArgs('/ext/bundled/tool/agentls_server.py', '/storage/pycache/0.2.0'), [
    '-I',
    '-S',
    '-X',
    'pycache_prefix=/storage/pycache/0.2.0',
    '/ext/bundled/tool/agentls_server.py',
    'lsp',
  ]);
});

test('an upgrade removes the byte-code caches of other versions', () => {
  assert.deepEqual(staleCaches(['0.1.0', '0.2.0', 'dev'], '0.2.0'), ['0.1.0', 'dev']);
  assert.deepEqual(staleCaches(['0.2.0'], '0.2.0'), []);
});

test('the Python extension API: the active environment resolved to its executable', async () => {
  const asked: unknown[] = [];
  const api: PythonEnvironmentsApi = {
    environments: {
      getActiveEnvironmentPath: (resource) => {
        asked.push(resource);
        return { id: 'venv', path: '/proj/.venv' };
      },
      resolveEnvironment: async (env) => {
        assert.deepEqual(env, { id: 'venv', path: '/proj/.venv' });
        return { executable: { uri: { fsPath: '/proj/.venv/bin/python' } } };
      },
    },
  };
  assert.equal(await selectedInterpreter(api, 'file:///proj'), '/proj/.venv/bin/python');
  assert.deepEqual(asked, ['file:///proj']);
  // no extension, an environment that does not resolve, an API that throws: undefined
  assert.equal(await selectedInterpreter(undefined), undefined);
  const unresolved: PythonEnvironmentsApi = {
    environments: { ...api.environments, resolveEnvironment: async () => undefined },
  };
  assert.equal(await selectedInterpreter(unresolved), undefined);
  const throwing: PythonEnvironmentsApi = {
    environments: {
      ...api.environments,
      getActiveEnvironmentPath: () => {
        throw new Error('not ready');
      },
    },
  };
  assert.equal(await selectedInterpreter(throwing), undefined);
});
