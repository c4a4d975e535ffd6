import { linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { latestHandoff, listLearnings } from '../../src/state/notes.js';
import { Project } from '../../src/state/project.js';
import { readStateResource, stateFiles } from '../../src/state/resources.js';

/** A file outside every project, standing for ~/.ssh/id_rsa or /etc/passwd. */
function secretFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cf-secret-'));
  const path = join(dir, 'secret.md');
  writeFileSync(path, '## the secret\n\nTOP-SECRET-CONTENT\n');
  return path;
}

function stateDirOf(root: string): string {
  const dir = join(root, '.codeflash');
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('.codeflash/ files are read only when they are plain files of the state directory', () => {
  it('a symlink or a hard link in .codeflash/ is neither listed, nor read, nor served', () => {
    const root = mkdtempSync(join(tmpdir(), 'cf-plain-'));
    const project = Project.open(root);
    const secret = secretFile();
    symlinkSync(secret, join(project.paths.stateDir, 'evil.md'));
    linkSync(secret, join(project.paths.stateDir, 'hard.md'));
    project.writeFile('setup.md', '# setup\n');
    expect(stateFiles(project)).toEqual(['setup.md']);
    expect(project.readFile('evil.md')).toBeUndefined();
    expect(project.readFile('hard.md')).toBeUndefined();
    expect(project.readFile('setup.md')).toBe('# setup\n');
    expect(() => readStateResource(project, 'codeflash://files/evil.md')).toThrow(UserError);
    expect(() => readStateResource(project, 'codeflash://files/evil.md')).toThrow(/symbolic link/);
    expect(() => readStateResource(project, 'codeflash://files/hard.md')).toThrow(/hard link/);
    project.close();
  });

  it('the one-time import skips a symlinked or hard-linked file and says so', () => {
    const root = mkdtempSync(join(tmpdir(), 'cf-plain-'));
    const dir = stateDirOf(root);
    const secret = secretFile();
    symlinkSync(secret, join(dir, 'HANDOFF.md'));
    linkSync(secret, join(dir, 'learnings.md'));
    writeFileSync(join(dir, 'conventions.md'), '# Conventions\n\n## Style\n\nNo walrus.\n');
    const project = Project.open(root);
    const report = project.takeImportReport()!;
    expect(report).toMatchObject({ handoff: false, learnings: 0, conventions: 1 });
    expect(report.warnings.join('\n')).toMatch(/HANDOFF\.md is a symbolic link.*not imported/);
    expect(report.warnings.join('\n')).toMatch(/learnings\.md is a hard link.*not imported/);
    expect(latestHandoff(project.db)).toBeUndefined();
    expect(JSON.stringify(listLearnings(project.db))).not.toContain('TOP-SECRET');
    project.close();
  });

  it('a .codeflash that is itself a symlink out of the project is refused', () => {
    const root = mkdtempSync(join(tmpdir(), 'cf-plain-'));
    const outside = mkdtempSync(join(tmpdir(), 'cf-outside-'));
    symlinkSync(outside, join(root, '.codeflash'));
    expect(() => Project.open(root)).toThrow(UserError);
    expect(() => Project.open(root)).toThrow(/\.codeflash is a symbolic link/);
  });
});
