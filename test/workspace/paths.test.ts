import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { canonical, confinedPath, refuseOptionLike } from '../../src/workspace/paths.js';

describe('refuseOptionLike', () => {
  it('refuses a value starting with "-", with or without leading whitespace, as a UserError', () => {
    for (const value of ['-x', '--upload-pack=evil', ' -x', '\t--output=/tmp/x']) {
      expect(() => refuseOptionLike('base', value)).toThrow(UserError);
      expect(() => refuseOptionLike('base', value)).toThrow(`base "${value}" is refused: it starts with "-"`);
    }
  });

  it('lets through absent values and values with a "-" further in', () => {
    for (const value of [undefined, '', 'HEAD~1', 'perf/cut-alloc', 'a -b']) expect(() => refuseOptionLike('ref', value)).not.toThrow();
  });
});

describe('confinedPath', () => {
  it('refuses paths outside the root, by .. or a symlink, as UserErrors', () => {
    const root = mkdtempSync(join(tmpdir(), 'cf-paths-'));
    mkdirSync(join(root, 'src'));
    symlinkSync(tmpdir(), join(root, 'escape'));
    expect(confinedPath(root, 'src')).toBe(join(root, 'src'));
    for (const path of ['../outside', '/etc/passwd', 'escape', ' -src']) expect(() => confinedPath(root, path)).toThrow(UserError);
  });

  it('refuses a path that does not exist yet when an in-root symlink leads it outside, dangling links included', () => {
    const root = mkdtempSync(join(tmpdir(), 'cf-paths-'));
    const outside = mkdtempSync(join(tmpdir(), 'cf-outside-'));
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(outside, 'not-yet.txt'), join(root, 'dangling'));
    symlinkSync('escape/deeper', join(root, 'relative'));
    for (const path of ['escape/new.txt', 'escape/a/b/c.txt', 'dangling', 'relative/x']) {
      expect(() => confinedPath(root, path), path).toThrow(UserError);
      expect(canonical(join(root, path)).startsWith(outside), path).toBe(true);
    }
    mkdirSync(join(root, 'src'));
    expect(confinedPath(root, 'src/new/file.txt')).toBe(join(root, 'src', 'new', 'file.txt'));
  });

  it('gives up on a loop of dangling symlinks with a UserError', () => {
    const root = mkdtempSync(join(tmpdir(), 'cf-paths-'));
    symlinkSync('b', join(root, 'a'));
    symlinkSync('a', join(root, 'b'));
    expect(() => confinedPath(root, 'a/x')).toThrow(UserError);
  });
});
