import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resultsHtml } from '../src/resultsHtml';

test("the Results page's script parses (a template literal can break it: \\n in a string)", () => {
  const page = resultsHtml('NONCE', 'vscode-resource:');
  const scripts = [...page.matchAll(/<script nonce="NONCE">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1);
  assert.doesNotThrow(() => new Function(scripts[0]));
  for (const id of ['title', 'status', 'output', 'followup', 'send', 'cancel', 'open']) {
    assert.ok(page.includes(`id="${id}"`), id);
  }
});
