import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunOutputParams } from '../src/protocol';
import { applyOutput, applyResult, emptyRuns, isRunning, markCancelled, prune, startRun } from '../src/runState';

const out = (runId: string, kind: RunOutputParams['kind'], text = '', extra: Partial<RunOutputParams> = {}): RunOutputParams => ({
  runId,
  agent: 'backend-engineer',
  task: 'review',
  kind,
  text,
  ...extra,
});

test('start, deltas, tool, end: text accumulates in order and status becomes done', () => {
  const s = emptyRuns();
  applyOutput(s, out('r1', 'start', 'backend-engineer: Review src/a.py (claude-sonnet-4-5)'));
  assert.equal(s.current, 'r1');
  assert.equal(s.runs.get('r1')?.header, 'backend-engineer: Review src/a.py (claude-sonnet-4-5)');
  assert.ok(isRunning(s));
  applyOutput(s, out('r1', 'delta', 'Hello'));
  applyOutput(s, out('r1', 'tool', 'Read src/a.py'));
  applyOutput(s, out('r1', 'delta', ', world'));
  const r = applyOutput(s, out('r1', 'end', '', { usage: { input_tokens: 10, output_tokens: 3 } }));
  assert.equal(r.text, 'Hello, world');
  assert.deepEqual(r.tools, ['Read src/a.py']);
  assert.equal(r.status, 'done');
  assert.deepEqual(r.usage, { input_tokens: 10, output_tokens: 3 });
  assert.ok(!isRunning(s));
});

test('error marks the run failed with the message', () => {
  const s = emptyRuns();
  applyOutput(s, out('r1', 'start'));
  const r = applyOutput(s, out('r1', 'error', 'authentication failed'));
  assert.equal(r.status, 'failed');
  assert.equal(r.error, 'authentication failed');
});

test('a delta before start still creates the run; a new start becomes current', () => {
  const s = emptyRuns();
  applyOutput(s, out('r1', 'delta', 'x'));
  assert.equal(s.runs.get('r1')?.text, 'x');
  applyOutput(s, out('r2', 'start'));
  assert.equal(s.current, 'r2');
  applyOutput(s, out('r1', 'delta', 'y'));
  assert.equal(s.current, 'r2', 'output of an older run does not steal the view');
  assert.equal(s.runs.get('r1')?.text, 'xy');
});

test('the final response is authoritative for status and fills missing text', () => {
  const s = emptyRuns();
  applyOutput(s, out('r1', 'start'));
  applyOutput(s, out('r1', 'delta', 'par'));
  const r = applyResult(s, { runId: 'r1', status: 'done', text: 'partial answer', applied: null, message: null }, 'a', 'review');
  assert.equal(r.text, 'partial answer');
  assert.equal(r.status, 'done');
  const f = applyResult(s, { runId: 'r9', status: 'failed', text: '', applied: null, message: 'no key' }, 'a', 'explain');
  assert.equal(f.error, 'no key');
  assert.equal(s.current, 'r9');
});

test('cancel marks only running runs; end after cancel keeps cancelled', () => {
  const s = emptyRuns();
  applyOutput(s, out('r1', 'start'));
  markCancelled(s, 'r1');
  assert.equal(s.runs.get('r1')?.status, 'cancelled');
  applyOutput(s, out('r1', 'end'));
  assert.equal(s.runs.get('r1')?.status, 'cancelled');
  applyOutput(s, out('r1', 'error', 'cancelled by the client'));
  assert.equal(s.runs.get('r1')?.status, 'cancelled');
  assert.equal(s.runs.get('r1')?.error, null);
});

test('prune keeps the current run and the newest finished ones', () => {
  const s = emptyRuns();
  for (let i = 0; i < 30; i++) {
    applyOutput(s, out(`r${i}`, 'start'));
    applyOutput(s, out(`r${i}`, 'end'));
  }
  prune(s, 5);
  assert.equal(s.runs.size, 5);
  assert.ok(s.runs.has('r29'));
  assert.ok(!s.runs.has('r0'));
});

test('runs are matched by run id: two runs of one agent keep their own output', () => {
  const s = emptyRuns();
  startRun(s, 'a1', 'backend-engineer', 'review');
  startRun(s, 'a2', 'backend-engineer', 'review');
  assert.equal(s.current, 'a2');
  applyOutput(s, out('a1', 'start'));
  applyOutput(s, out('a2', 'start'));
  applyOutput(s, out('a1', 'delta', 'first'));
  applyOutput(s, out('a2', 'delta', 'second'));
  assert.equal(s.runs.get('a1')?.text, 'first');
  assert.equal(s.runs.get('a2')?.text, 'second');
});

test('a run cancelled before the server started it stays cancelled', () => {
  const s = emptyRuns();
  startRun(s, 'c1', 'backend-engineer', 'explain');
  assert.ok(isRunning(s));
  markCancelled(s, 'c1');
  applyOutput(s, out('c1', 'start', 'backend-engineer: Explain'));
  applyOutput(s, out('c1', 'end', 'cancelled'));
  assert.equal(s.runs.get('c1')?.status, 'cancelled');
  assert.equal(s.runs.get('c1')?.header, 'backend-engineer: Explain');
});
