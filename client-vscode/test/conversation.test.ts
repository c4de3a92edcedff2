import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promptProblem, taskChoices } from '../src/ask';
import { RunAgentResult, RunInfo, RunOutputParams } from '../src/protocol';
import {
  applyOutput,
  applyResult,
  canApply,
  conversationOf,
  emptyRuns,
  markApplied,
  markCancelled,
  pastRunItem,
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
    cost: '$0.0046', // as the server's one formatter wrote it: shown as is
    pricesAsOf: '2026-11-01',
  });
  assert.equal(line, 'Tokens: 1,234 in, 56 out, 9,000 cache read, 700 cache write · 3.2 s · ~$0.0046 (prices of 2026-11-01)');
  assert.match(usageLine({ usage: null, wallSeconds: 2, cost: '$0.012', pricesAsOf: null }), /· ~\$0\.012$/);
  const unknown = usageLine({ usage: { input_tokens: 1, output_tokens: 2 }, wallSeconds: 1, cost: null, pricesAsOf: null });
  assert.equal(unknown, 'Tokens: 1 in, 2 out, 0 cache read, 0 cache write · 1.0 s · cost unknown for this model');
  assert.equal(usageLine({ usage: null, wallSeconds: null, cost: null, pricesAsOf: null }), '');
  // under a second: ms (a 40 ms run against a local API read "0.0 s")
  assert.match(usageLine({ usage: null, wallSeconds: 0.042, cost: null, pricesAsOf: null }), /^42 ms$/);
});

test('a cancelled run shows its wall time and cost, which its end carries', () => {
  const s = emptyRuns();
  startRun(s, 'c1', 'backend-engineer', 'explain');
  applyOutput(s, out('c1', 'delta', 'The function ', { usage: { input_tokens: 0, output_tokens: 1, cache_read_input_tokens: 3457 } }));
  markCancelled(s, 'c1'); // the user's Cancel: the request is dropped, no answer comes
  const usage = { input_tokens: 0, output_tokens: 1, cache_read_input_tokens: 3457, cache_creation_input_tokens: 355 };
  const run = applyOutput(s, out('c1', 'end', 'cancelled', { usage, wallSeconds: 1.5, costUsd: 0.00237, cost: '$0.0024', pricesAsOf: '2026-11-30' }));
  assert.equal(run.status, 'cancelled');
  assert.equal(run.text, 'The function '); // "cancelled" is the end's word, not the answer
  assert.equal(usageLine(run), 'Tokens: 0 in, 1 out, 3,457 cache read, 355 cache write · 1.5 s · ~$0.0024 (prices of 2026-11-30)');
  // an end that comes before the client marked it (a cancel from elsewhere) cancels too
  startRun(s, 'c2', 'backend-engineer', 'explain');
  assert.equal(applyOutput(s, out('c2', 'end', 'cancelled')).status, 'cancelled');
});

test('a past run in the pick: what, where, when, how it ended, what it cost', () => {
  const info: RunInfo = {
    runId: 'r9',
    conversation: 'r9',
    agent: 'backend-engineer',
    task: 'improve',
    path: 'src/app.py',
    uri: 'file:///w/src/app.py',
    range: { start: { line: 3, character: 0 }, end: { line: 6, character: 0 } },
    lines: [4, 6],
    started: '2026-11-30T03:15:16.250000Z',
    status: 'done',
    model: 'claude-sonnet-5-5',
    source: 'cli',
    proposals: 1,
    applied: false,
    usage: { input_tokens: 10, output_tokens: 2000, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 },
    cost: '$0.012',
  };
  assert.deepEqual(pastRunItem(info), {
    label: 'backend-engineer: improve',
    description: 'src/app.py:4-6 · 2026-11-30 03:15 UTC · CLI',
    detail: 'done, 1 change(s) · 1,210 in, 2,000 out · ~$0.012',
  });
  const ask = pastRunItem({ ...info, task: 'ask', prompt: 'Is it safe?', parent: 'r1', lines: [5, 5], source: 'lsp', status: 'incomplete', proposals: 0, cost: null });
  assert.equal(ask.label, 'backend-engineer: follow-up — Is it safe?');
  assert.equal(ask.description, 'src/app.py:5 · 2026-11-30 03:15 UTC');
  assert.match(ask.detail, /^cut at a limit · .* · cost unknown$/);
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
  restoreRun(s, result('r1', { agent: 'backend-engineer', task: 'ask', prompt: 'Q1', text: 'A1', conversation: 'r1', usage: { input_tokens: 5, output_tokens: 6 }, wallSeconds: 2, costUsd: 0.01, cost: '$0.010', pricesAsOf: '2026-11-01' }));
  restoreRun(s, result('r2', { agent: 'backend-engineer', task: 'ask', prompt: 'Q2', text: 'A2', conversation: 'r1', parent: 'r1' }));
  s.current = 'r2';
  const turns = conversationOf(s, 'r2');
  assert.deepEqual(turns.map((t) => [t.prompt, t.text, t.status]), [['Q1', 'A1', 'done'], ['Q2', 'A2', 'done']]);
  assert.match(usageLine(turns[0]), /^Tokens: 5 in, 6 out.* · 2\.0 s · ~\$0\.010 /);
  for (let i = 0; i < 10; i++) {
    applyOutput(s, out(`o${i}`, 'start'));
    applyOutput(s, out(`o${i}`, 'end'));
  }
  s.current = 'r2';
  prune(s, 3);
  assert.ok(s.runs.has('r1') && s.runs.has('r2'), 'the conversation shown stays');
  assert.equal(s.runs.size, 3);
});
