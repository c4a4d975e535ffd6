import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { branchMarker, domainFromBranch, perfBranchName, validateBranchName } from '../../src/env/branch.js';
import { UserError } from '../../src/errors.js';
import { DOMAINS } from '../../src/state/sessions.js';

describe('domainFromBranch', () => {
  it.each([
    ['perf/mem-reduce-peak', 'memory'],
    ['perf/ds-faster-lookup', 'cpu'],
    ['perf/async-gather-calls', 'async'],
    ['perf/struct-lazy-imports', 'structure'],
    ['perf/deep-all', 'deep'],
    ['perf/team/mem-x', 'memory'],
    ['codeflash/mem-mar20', 'memory'],
  ])('%s → %s', (branch, domain) => {
    expect(domainFromBranch(branch)).toBe(domain);
  });

  it.each(['perf/dsp-filter', 'perf/memo-cache', 'perf/asyncio-x', 'feature/mem-x', 'main', 'mem-x', 'perf/'])(
    'finds no domain in %s',
    (branch) => {
      expect(domainFromBranch(branch)).toBeUndefined();
    },
  );
});

describe('perfBranchName', () => {
  it('names the branch by marker and a cleaned slug, and round-trips the domain', () => {
    expect(perfBranchName('memory', 'Reduce Peak RSS')).toBe('perf/mem-reduce-peak-rss');
    expect(perfBranchName('cpu', '--dict__lookup--')).toBe('perf/ds-dict-lookup');
    for (const domain of DOMAINS) {
      const name = perfBranchName(domain, 'x');
      expect(name).toBe(`perf/${branchMarker(domain)}-x`);
      expect(domainFromBranch(name)).toBe(domain);
      expect(validateBranchName(name)).toBeUndefined();
    }
  });

  it('caps the slug length and refuses a slug with nothing usable', () => {
    expect(perfBranchName('async', 'a'.repeat(200)).length).toBeLessThanOrEqual('perf/async-'.length + 48);
    expect(() => perfBranchName('cpu', '-._')).toThrow(/no letters or digits/);
  });

  it('refuses, as a UserError, a slug that is not plain words instead of rewriting it', () => {
    for (const slug of ['Reduce Peak RSS!', '$(touch pwned)', '`id`', 'a;b', 'a\tb', 'é', '']) {
      expect(() => perfBranchName('cpu', slug), slug).toThrow(UserError);
      expect(() => perfBranchName('cpu', slug), slug).toThrow(/letters, digits/);
    }
  });
});

describe('validateBranchName agrees with git check-ref-format --branch', () => {
  const gitAccepts = (name: string): boolean => {
    try {
      execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };

  it.each([
    'perf/mem-x',
    'main',
    'feature/a.b',
    'a-b_c',
    'v1.2',
    'x@y',
    '-x',
    'a..b',
    'a b',
    'a\tb',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[b',
    'a\\b',
    'a.lock',
    'a/b.lock/c',
    'a/',
    '/a',
    'a//b',
    'a.',
    '.a',
    'a/.b',
    'a@{b',
    'a\x7fb',
  ])('%j', (name) => {
    const error = validateBranchName(name);
    expect(error === undefined, error ?? 'accepted').toBe(gitAccepts(name));
  });

  it('refuses an empty name, HEAD, and `@` (which git reads as HEAD)', () => {
    expect(validateBranchName('')).toMatch(/empty/);
    expect(validateBranchName('HEAD')).toBeDefined();
    expect(validateBranchName('@')).toBeDefined();
  });
});
