import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TASKS } from '../src/protocol';
import { AGENT_FILE_PATTERNS, agentFilesGlob, documentSelector } from '../src/selector';
import { SERVER_DATA } from '../src/serverData';
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

test('document selector: every agent path pattern the server derives, plus every file', () => {
  const sel = documentSelector();
  assert.deepEqual<readonly string[]>(AGENT_FILE_PATTERNS, SERVER_DATA.agentFilePatterns);
  for (const p of ['**/.claude/agents/**/*.md', '**/.github/skills/*/SKILL.md', '**/*.agent.md', '**/.opencode/mode/**/*.md', '**/agents/**/*.md']) {
    assert.ok(AGENT_FILE_PATTERNS.includes(p), p);
    assert.ok(sel.some((f) => f.pattern === p && f.scheme === 'file'), p);
  }
  assert.ok(sel.some((f) => f.scheme === 'file' && f.pattern === undefined && f.language === undefined));
  assert.ok(agentFilesGlob().startsWith('{**/.claude/agents/**/*.md,'));
});

test('serverData.ts is the server data file, as generated (run `npm run generate` when not)', () => {
  const file = path.join(__dirname, '..', '..', '..', 'server', 'agentls', 'data', 'client.json');
  const { $comment: _, ...data } = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(SERVER_DATA, data);
  assert.deepEqual(
    TASKS.map((t) => t.id),
    ['review', 'explain', 'improve', 'tests', 'ask'],
  );
});
