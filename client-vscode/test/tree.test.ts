import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentInfo } from '../src/protocol';
import { buildTree, problemText, runnableAgents, totalProblems } from '../src/tree';

function agent(name: string, scope: AgentInfo['scope'], extra: Partial<AgentInfo> = {}): AgentInfo {
  return {
    name,
    dialect: 'claude-agent',
    kind: 'agent',
    scope,
    uri: `file:///${scope}/${name}.md`,
    path: `/${scope}/${name}.md`,
    description: `${name} does things`,
    model: 'sonnet',
    tools: ['Read', 'Grep'],
    loads: true,
    errors: 0,
    warnings: 0,
    ...extra,
  };
}

test('groups by scope in precedence order, sorted by name, empty groups left out', () => {
  const groups = buildTree([
    agent('zeta', 'project'),
    agent('backend-engineer', 'bundled'),
    agent('alpha', 'project', { errors: 2, warnings: 1 }),
    agent('mine', 'user'),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.scope, g.children.map((c) => c.label)]),
    [
      ['project', ['alpha', 'zeta']],
      ['user', ['mine']],
      ['bundled', ['backend-engineer']],
    ],
  );
  assert.equal(groups[0].label, 'Project');
  assert.equal(groups[0].description, '2 agents · 2 errors, 1 warning');
  assert.equal(groups[1].description, '1 agent');
});

test('agent item: model and problem count, context values', () => {
  const [g] = buildTree([
    agent('a', 'project', { model: null, errors: 1 }),
    agent('b', 'project', { loads: false, errors: 1, model: 'opus' }),
    agent('c', 'project', { tools: null }),
  ]);
  const [a, b, c] = g.children;
  assert.equal(a.description, 'inherit · 1 error');
  assert.equal(a.contextValue, 'agent-problems');
  assert.equal(b.contextValue, 'agent-broken');
  assert.match(b.tooltip, /Does not load/);
  assert.equal(c.description, 'sonnet');
  assert.equal(c.contextValue, 'agent');
  assert.match(c.tooltip, /tools: all tools/);
});

test('an agent that does not load and has no counted problems says so', () => {
  const [g] = buildTree([agent('x', 'project', { loads: false })]);
  assert.equal(g.children[0].description, 'sonnet · does not load');
});

test('shadowing: a bundled agent with a project namesake is marked', () => {
  const groups = buildTree([agent('backend-engineer', 'project'), agent('backend-engineer', 'bundled')]);
  assert.equal(groups[0].children[0].shadowedBy, null);
  assert.equal(groups[1].children[0].shadowedBy, 'project');
  assert.match(groups[1].children[0].description, /shadowed/);
});

test('live diagnostics counts override the server counts by URI', () => {
  const a = agent('a', 'project', { errors: 3 });
  const [g] = buildTree([a], new Map([[a.uri, { errors: 0, warnings: 1 }]]));
  assert.equal(g.children[0].description, 'sonnet · 1 warning');
  assert.equal(g.children[0].agent.errors, 0);
});

test('runnableAgents: precedence, one per name, only loading ones, allow-list', () => {
  const list = [
    agent('backend-engineer', 'bundled'),
    agent('backend-engineer', 'project', { path: '/p/be.md' }),
    agent('broken', 'project', { loads: false }),
    agent('mine', 'user'),
  ];
  const r = runnableAgents(list, null);
  assert.deepEqual(r.map((a) => `${a.scope}:${a.name}`), ['project:backend-engineer', 'user:mine']);
  assert.deepEqual(runnableAgents(list, ['mine']).map((a) => a.name), ['mine']);
});

test('problem text and totals', () => {
  assert.equal(problemText(0, 0), '');
  assert.equal(problemText(1, 2), '1 error, 2 warnings');
  assert.deepEqual(totalProblems([agent('a', 'user', { errors: 1 }), agent('b', 'user', { warnings: 4 })]), { errors: 1, warnings: 4 });
});
