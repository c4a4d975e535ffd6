import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/requires.js';

const WORKFLOW = fileURLToPath(new URL('../../examples/github-actions.yml', import.meta.url));
const actionlint = requireTool('actionlint');

describe('examples/github-actions.yml', () => {
  it.skipIf(!actionlint.ok)('passes actionlint (the workflow schema, expressions, action inputs)', () => {
    // actionlint exits non-zero and prints each problem when there is one.
    expect(execFileSync('actionlint', ['-no-color', WORKFLOW], { encoding: 'utf8' })).toBe('');
  });

  it('gates the merge base against the head in instructions mode and keeps one comment per pull request', () => {
    const text = readFileSync(WORKFLOW, 'utf8');
    expect(text).toMatch(/^on:\n {2}pull_request:/m);
    expect(text).toContain('fetch-depth: 0');
    expect(text).toMatch(/codeflash-mcp compare "\$base" "\$HEAD_SHA" --mode instructions/);
    expect(text).toContain('git merge-base "$BASE_SHA" "$HEAD_SHA"');
    // Found by its marker and edited, created only when there is none.
    expect(text).toMatch(/body\?\.includes\(marker\)/);
    expect(text).toContain('github.rest.issues.updateComment');
    expect(text).toContain('pull-requests: write');
  });
});
