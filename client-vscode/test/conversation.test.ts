import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promptProblem, taskChoices } from '../src/ask';
import { RunAgentResult, RunOutputParams } from '../src/protocol';
import {
  applyOutput,
  applyResult,
  canApply,
  conversationOf,
  emptyRuns,
  markApplied,
  prune,
  restoreRun,
  startRun,
  usageLine,
} from '../src/runState';

const out = (runId: string, kind: RunOutputParams['kind'], text = '', extra: Partial<RunOutputParams> = {}): RunOutputParams => ({
  runId,
  agent: 'backend-engineer',
  task: 'ask',
  kind,
  text,
  ...extra,
});

const result = (runId: string, extra: Partial<RunAgentResult> = {}): RunAgentResult => ({
  runId,
  status: 'done',
  text: '',
  applied: null,
  message: null,
  ...extra,
});

test('Ask offers the tasks the agent can do, the free-text entry last', () => {
  const all = taskChoices({ tools: null });
  assert.deepEqual(all.map((c) => c.id), ['review', 'explain', 'improve', 'tests', 'ask']);
  assert.equal(all[all.length - 1].label, 'Ask…');
  assert.ok(all[all.length - 1].needsPrompt);
  const readOnly = taskChoices({ tools: ['Read', 'Grep', 'Glob'] });
  assert.deepEqual(readOnly.map((c) => c.id), ['review', 'explain', 'ask']);
  const editor = taskChoices({ tools: ['Read', 'Edit(src/**)'] });
  assert.ok(editor.some((c) => c.id === 'improve'));
  assert.deepEqual(taskChoices(undefined).length, all.length);
  assert.equal(promptProblem('  '), 'Type what you want to ask, or press Escape.');
  assert.equal(promptProblem('why?'), null);
});

test('a follow-up joins its conversation at once and the turns come oldest first', () => {
  const s = emptyRuns();
  startRun(s, 'r1', 'backend-engineer', 'ask', 'Is this thread-safe?');
  applyOutput(s, out('r1', 'start', 'backend-engineer: Ask src/a.py', { conversation: 'r1' }));
  applyOutput(s, out('r1', 'tool', 'refused Bash: not among the tools the runtime offers'));
  applyOutput(s, out('r1', 'delta', 'No.'));
  applyOutput(s, out('r1', 'note', 'context: 120 lines of 400'));
  applyResult(s, result('r1', { text: 'No.', conversation: 'r1', prompt: 'Is this thread-safe?' }), 'backend-engineer', 'ask');
  startRun(s, 'x', 'other', 'review'); // another conversation, started in between
  const f = startRun(s, 'r2', 'backend-engineer', 'ask', 'How would you fix it?', 'r1');
  assert.equal(f.conversation, 'r1');
  assert.deepEqual(conversationOf(s, 'r2').map((r) => r.runId), ['r1', 'r2']);
  const first = conversationOf(s, 'r2')[0];
  assert.deepEqual(first.tools, ['refused Bash: not among the tools the runtime offers']);
  assert.deepEqual(first.notes, ['context: 120 lines of 400']);
  assert.equal(first.prompt, 'Is this thread-safe?');
  assert.deepEqual(conversationOf(s, 'x').map((r) => r.runId), ['x']);
});

test('the end-of-run line: four token counts, wall time, cost with its price date', () => {
  const line = usageLine({
    usage: { input_tokens: 1234, output_tokens: 56, cache_read_input_tokens: 9000, cache_creation_input_tokens: 700 },
    wallSeconds: 3.21,
    costUsd: 0.00456,
    pricesAsOf: '2026-11-01',
  });
  assert.equal(line, 'Tokens: 1,234 in, 56 out, 9,000 cache read, 700 cache write · 3.2 s · ~$0.0046 (prices of 2026-11-01)');
  const unknown = usageLine({ usage: { input_tokens: 1, output_tokens: 2 }, wallSeconds: 1, costUsd: null, pricesAsOf: null });
  assert.equal(unknown, 'Tokens: 1 in, 2 out, 0 cache read, 0 cache write · 1.0 s · cost unknown for this model');
  assert.equal(usageLine({ usage: null, wallSeconds: null, costUsd: null, pricesAsOf: null }), '');
  // under a second: ms (a 40 ms run against a local API read "0.0 s")
  assert.match(usageLine({ usage: null, wallSeconds: 0.042, costUsd: null, pricesAsOf: null }), /^42 ms$/);
});

test('proposals: shown with the result, Apply until applied, the refusal kept', () => {
  const s = emptyRuns();
  startRun(s, 'i1', 'backend-engineer', 'improve');
  const proposals = [{ path: 'src/a.py', uri: 'file:///w/src/a.py', diff: '--- a/src/a.py\n+++ b/src/a.py\n-x\n+y\n', created: false }];
  const r = applyResult(s, result('i1', { proposals, applied: false, message: 'declined' }), 'backend-engineer', 'improve');
  assert.equal(r.proposals[0].diff, proposals[0].diff);
  assert.ok(canApply(r));
  assert.equal(r.applyMessage, 'declined');
  markApplied(s, 'i1', false, 'src/a.py changed since the run; nothing was applied');
  assert.ok(canApply(r));
  assert.match(r.applyMessage ?? '', /changed since the run/);
  markApplied(s, 'i1', true, null);
  assert.ok(!canApply(r));
  assert.equal(r.applyMessage, null);
  const failed = applyResult(s, result('i2', { status: 'failed', proposals: [] }), 'a', 'improve');
  assert.ok(!canApply(failed));
});

test('a kept conversation is shown again after a reload, and pruning keeps it', () => {
  const s = emptyRuns();
  restoreRun(s, result('r1', { agent: 'backend-engineer', task: 'ask', prompt: 'Q1', text: 'A1', conversation: 'r1', usage: { input_tokens: 5, output_tokens: 6 }, wallSeconds: 2, costUsd: 0.01, pricesAsOf: '2026-11-01' }));
  restoreRun(s, result('r2', { agent: 'backend-engineer', task: 'ask', prompt: 'Q2', text: 'A2', conversation: 'r1', parent: 'r1' }));
  s.current = 'r2';
  const turns = conversationOf(s, 'r2');
  assert.deepEqual(turns.map((t) => [t.prompt, t.text, t.status]), [['Q1', 'A1', 'done'], ['Q2', 'A2', 'done']]);
  assert.match(usageLine(turns[0]), /^Tokens: 5 in, 6 out.* · 2\.0 s · ~\$0\.01/);
  for (let i = 0; i < 10; i++) {
    applyOutput(s, out(`o${i}`, 'start'));
    applyOutput(s, out(`o${i}`, 'end'));
  }
  s.current = 'r2';
  prune(s, 3);
  assert.ok(s.runs.has('r1') && s.runs.has('r2'), 'the conversation shown stays');
  assert.equal(s.runs.size, 3);
});
