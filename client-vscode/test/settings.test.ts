import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeLaunch,
  findExecutable,
  readServerSettings,
  resolveServerLaunch,
  serverOptionsPayload,
} from '../src/settings';

const getter = (o: Record<string, unknown>) => (k: string) => o[k];

test('default: agentls lsp from the PATH', () => {
  const l = resolveServerLaunch(readServerSettings(getter({})));
  assert.deepEqual([l.command, ...l.args], ['agentls', 'lsp']);
  assert.equal(l.source, 'default');
});

test('pythonPath: python -m agentls lsp', () => {
  const l = resolveServerLaunch(readServerSettings(getter({ 'server.pythonPath': ' /venv/bin/python ' })));
  assert.deepEqual([l.command, ...l.args], ['/venv/bin/python', '-m', 'agentls', 'lsp']);
  assert.equal(l.source, 'pythonPath');
});

test('command wins over pythonPath and takes its args', () => {
  const l = resolveServerLaunch(
    readServerSettings(
      getter({ 'server.command': '/opt/a/agentls', 'server.args': ['lsp', '--log', 'x'], 'server.pythonPath': '/py' }),
    ),
  );
  assert.deepEqual([l.command, ...l.args], ['/opt/a/agentls', 'lsp', '--log', 'x']);
  assert.equal(l.source, 'command');
});

test('command with default args; bad args type falls back to ["lsp"]', () => {
  assert.deepEqual(resolveServerLaunch(readServerSettings(getter({ 'server.command': 'x' }))).args, ['lsp']);
  assert.deepEqual(
    resolveServerLaunch(readServerSettings(getter({ 'server.command': 'x', 'server.args': [1, 2] }))).args,
    ['lsp'],
  );
  assert.deepEqual(resolveServerLaunch(readServerSettings(getter({ 'server.command': 'x', 'server.args': [] }))).args, []);
});

test('env keeps only string values', () => {
  const s = readServerSettings(getter({ 'server.env': { A: '1', B: 2, C: null } }));
  assert.deepEqual(s.env, { A: '1' });
});

test('describeLaunch quotes what a shell would need quoted', () => {
  assert.equal(describeLaunch({ command: '/a b/py', args: ['-m', 'agentls', 'lsp'], source: 'pythonPath', env: {} }), "'/a b/py' -m agentls lsp");
});

test('findExecutable: PATH lookup, absolute and relative paths', () => {
  const exists = new Set(['/usr/bin/agentls', '/ws/tools/run']);
  const isExe = (p: string) => exists.has(p);
  assert.equal(findExecutable('agentls', '/bin:/usr/bin', isExe), '/usr/bin/agentls');
  assert.equal(findExecutable('agentls', '/bin', isExe), undefined);
  assert.equal(findExecutable('agentls', undefined, isExe), undefined);
  assert.equal(findExecutable('/usr/bin/agentls', '', isExe), '/usr/bin/agentls');
  assert.equal(findExecutable('tools/run', '', isExe, '/ws'), '/ws/tools/run');
  assert.equal(findExecutable('tools/run', '', isExe, '/other'), undefined);
});

test('initializationOptions payload: the server settings as VS Code gives them, unchecked', () => {
  // VS Code's section object: the server's settings with package.json's defaults, the
  // client's own groups, and methods (get, has, inspect, update).
  const section = {
    models: { sonnet: 'claude-sonnet-4-5', bad: 3 },
    defaultModel: null,
    maxTokens: 'many',
    agentListLimit: 5,
    server: { command: '', args: ['lsp'] },
    trace: { server: 'off' },
    get: () => undefined,
  };
  assert.deepEqual(serverOptionsPayload(section), {
    models: { sonnet: 'claude-sonnet-4-5', bad: 3 },
    defaultModel: null,
    maxTokens: 'many', // the server reports it (window/showMessage) and keeps its default
    agentListLimit: 5,
  });
});
