import { afterEach, describe, expect, it } from 'vitest';
import { findFiles, findOnPath, iniValue } from '../../src/env/files.js';
import { type TempProject, tempProject } from '../fixtures/env/projects.js';

const projects: TempProject[] = [];
afterEach(() => {
  for (const made of projects.splice(0)) made.dispose();
});

describe('findFiles', () => {
  const accept = (name: string) => name.endsWith('.txt');

  it('walks breadth first and says when a limit stopped it', async () => {
    const made = tempProject();
    projects.push(made);
    made.write({ 'a.txt': '', 'd1/b.txt': '', 'd1/d2/c.txt': '', 'd1/d2/d3/d.txt': '', '.git/e.txt': '', 'node_modules/f.txt': '' });
    expect(await findFiles(made.root, accept, { maxEntries: 100, maxDepth: 10 })).toEqual({
      files: ['a.txt', 'd1/b.txt', 'd1/d2/c.txt', 'd1/d2/d3/d.txt'],
      truncated: false,
    });
    expect(await findFiles(made.root, accept, { maxEntries: 100, maxDepth: 1 })).toEqual({
      files: ['a.txt', 'd1/b.txt'],
      truncated: true,
    });
    const few = await findFiles(made.root, accept, { maxEntries: 3, maxDepth: 10 });
    expect(few.truncated).toBe(true);
    expect(few.files.length).toBeLessThan(4);
  });
});

describe('small readers', () => {
  it('reads an INI value only inside its section', () => {
    const text = '[options]\nname = wrong\n\n[metadata]\nversion: 1\nname = right\n';
    expect(iniValue(text, 'metadata', 'name')).toBe('right');
    expect(iniValue(text, 'metadata', 'missing')).toBeUndefined();
  });

  it('finds executables on a PATH without starting them', async () => {
    expect(await findOnPath('git')).toMatch(/\/git$/);
    expect(await findOnPath('surely-not-a-program-here')).toBeUndefined();
    expect(await findOnPath('git', '')).toBeUndefined();
  });
});
