import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_FILE_PATTERNS, agentFilesGlob, documentSelector } from '../src/selector';
import { agentFileRelativePath, agentTemplate, validateAgentName } from '../src/template';

test('agent names: lowercase-hyphen only', () => {
  assert.equal(validateAgentName('code-reviewer'), null);
  assert.equal(validateAgentName('a1'), null);
  for (const bad of ['', 'Code', 'a_b', 'a--b', '-a', 'a-', 'a b', 'a:b', 'x'.repeat(65)]) {
    assert.notEqual(validateAgentName(bad), null, bad);
  }
});

test('template: frontmatter with name = file stem, a description without ": ", known tools and model', () => {
  const t = agentTemplate('code-reviewer');
  assert.equal(agentFileRelativePath('code-reviewer'), '.claude/agents/code-reviewer.md');
  const m = /^---\n([\s\S]*?)\n---\n\n(.+)/.exec(t);
  assert.ok(m, 'frontmatter first, then a body');
  const fields = Object.fromEntries(m[1].split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  assert.deepEqual(Object.keys(fields), ['name', 'description', 'tools', 'model']);
  assert.equal(fields.name, 'code-reviewer');
  assert.ok(!fields.description.includes(': '), 'a plain scalar must not contain ": "');
  assert.ok(!/[#`*&!%@|>]/.test(fields.description));
  assert.equal(fields.tools, 'Read, Grep, Glob');
  assert.equal(fields.model, 'sonnet');
  assert.ok(t.endsWith('\n'));
});

test('document selector: every agent path pattern plus every file', () => {
  const sel = documentSelector();
  for (const p of ['**/.claude/agents/**/*.md', '**/.claude/skills/**/SKILL.md', '**/*.agent.md', '**/.opencode/agents/**/*.md', '**/agents/**/*.md']) {
    assert.ok(AGENT_FILE_PATTERNS.includes(p), p);
    assert.ok(sel.some((f) => f.pattern === p && f.scheme === 'file'), p);
  }
  assert.ok(sel.some((f) => f.scheme === 'file' && f.pattern === undefined && f.language === undefined));
  assert.ok(agentFilesGlob().startsWith('{**/.claude/agents/**/*.md,'));
});
