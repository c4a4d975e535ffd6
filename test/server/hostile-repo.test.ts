import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitAll, gitIn, makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const SECRET = 'TOP-SECRET-CONTENT';

function outsideFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cf-outside-')), name);
  writeFileSync(path, content);
  return path;
}

describe('a cloned repository cannot pull outside files into the session', () => {
  it('a committed .codeflash/HANDOFF.md symlink is not imported, resumed or served, and session_start says so', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    mkdirSync(join(root, '.codeflash'));
    symlinkSync(outsideFile('secret.md', `# Handoff perf/ds-x\n\n${SECRET}\n`), join(root, '.codeflash', 'HANDOFF.md'));
    commitAll(root, 'a handoff');
    open = await connectInMemory({ root });
    const start = await open.call('session_start', {});
    expect(start.isError, errorText(start)).toBeFalsy();
    expect(start.structuredContent!.warnings.join('\n')).toMatch(/HANDOFF\.md is a symbolic link; not imported/);
    const resumed = await open.call('session_resume', {});
    expect(resumed.isError, errorText(resumed)).toBeFalsy();
    expect(JSON.stringify(resumed.structuredContent)).not.toContain(SECRET);
    const read = await open.call('read_artifact', { uri: 'codeflash://files/HANDOFF.md' });
    expect(read.isError).toBe(true);
    expect(errorText(read)).toMatch(/symbolic link/);
    const { resources } = await open.client.listResources();
    expect(resources.map((r) => r.uri)).not.toContain('codeflash://files/HANDOFF.md');
    await expect(open.client.readResource({ uri: 'codeflash://files/HANDOFF.md' })).rejects.toThrow(/symbolic link/);
  });
});

describe('profile keeps to the project root', () => {
  it.each([['link.py'], [['python3', 'link.py']], ['pkg/run.py']])(
    'refuses %j, a script reached through an in-root symlink to a file outside, before any job',
    async (command) => {
      const root = makeRepo(PYTHON_PROJECT);
      const marker = join(mkdtempSync(join(tmpdir(), 'cf-outside-')), 'ran');
      const script = outsideFile('x.py', `open(${JSON.stringify(marker)}, "w").write("ran")\n`);
      symlinkSync(script, join(root, 'link.py'));
      symlinkSync(join(script, '..'), join(root, 'pkg'));
      writeFileSync(join(script, '..', 'run.py'), `open(${JSON.stringify(marker)}, "w").write("ran")\n`);
      open = await connectInMemory({ root, jobStartWaitMs: 60_000 });
      await open.call('session_start', {});
      const result = await open.call('profile', { command });
      expect(result.isError).toBe(true);
      expect(errorText(result)).toMatch(/is outside the project root/);
      expect(existsSync(marker)).toBe(false);
    },
  );
});

describe('a slug that is not plain words', () => {
  it.each(['$(touch pwned)', '`touch pwned`', 'a;rm -rf x', 'x|y', 'perf/$(id)', 'perf/a&b', 'ok\nnext', "it's"])(
    'branch %j is refused before anything changes: the session goes on, no branch is made',
    async (branch) => {
      const root = makeRepo(PYTHON_PROJECT);
      open = await connectInMemory({ root });
      const first = await open.call('session_start', {});
      const sessionId = first.structuredContent!.session_id;
      const branchesBefore = gitIn(root, 'branch', '--list');
      const result = await open.call('session_start', { branch });
      expect(result.isError).toBe(true);
      expect(errorText(result)).toMatch(/letters, digits/);
      expect(gitIn(root, 'branch', '--list')).toBe(branchesBefore);
      expect(gitIn(root, 'branch', '--show-current').trim()).toBe('main');
      const status = await open.call('session_status', {});
      expect(status.structuredContent).toMatchObject({ session_id: sessionId });
      expect(existsSync(join(root, 'pwned'))).toBe(false);
    },
  );

  it.each([
    ['cut allocations', 'perf/deep-cut-allocations'],
    ['fast_path.v2', 'perf/deep-fast-path-v2'],
    ['perf/mem-peak_rss.2', 'perf/mem-peak_rss.2'],
  ])('branch %j is plain words and becomes %s', async (branch, name) => {
    const root = makeRepo(PYTHON_PROJECT);
    open = await connectInMemory({ root });
    const result = await open.call('session_start', { branch, domain: 'deep' });
    expect(result.isError, errorText(result)).toBeFalsy();
    expect(result.structuredContent!.branch).toBe(name);
  });
});
