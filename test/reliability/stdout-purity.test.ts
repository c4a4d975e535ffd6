import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { realPython } from '../helpers/requires.js';
import { RawServer } from './support.js';

let server: RawServer | undefined;
afterEach(() => {
  server?.kill();
  server = undefined;
});

const CHATTY = `import sys
for i in range(2000):
    print("CHILD-STDOUT", i)
    print("CHILD-STDERR", i, file=sys.stderr)
`;

describe('stdout carries JSON-RPC only', () => {
  it('while children print, garbage and odd requests arrive, and the server shuts down', async () => {
    const root = makeRepo({ ...PYTHON_PROJECT, 'chatty.py': CHATTY });
    server = await RawServer.start(['--root', root]);
    const answers = [];
    answers.push(await server.request('tools/list'));
    answers.push(await server.call('session_start', { guard: `${realPython()} chatty.py` }));
    answers.push(await server.call('run_guard', {}));
    answers.push(await server.call('profile', { command: 'chatty.py' }));
    answers.push(
      await server.call('micro_benchmark', {
        language: 'python',
        setup: 'print("CHILD-STDOUT setup")',
        a: '1',
        b: '2',
        runs: 5,
        processes: 2,
      }),
    );
    answers.push(await server.request('no/such/method'));
    answers.push(await server.request('resources/read', { uri: 'codeflash://files/../../etc/passwd' }));
    // JSON.parse reads 1e999 as Infinity: it must be refused, not stored.
    const infinite = await server.requestRaw(
      (id) =>
        `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"record_result","arguments":{"target":"t","hypothesis":"h","metric":"m","baseline":1e999,"value":1,"status":"keep"}}}`,
    );
    expect(infinite.result?.isError).toBe(true);
    expect(infinite.result?.content?.[0]?.text).toMatch(/baseline/);
    server.writeRaw('this is not JSON\n');
    server.writeRaw('{"jsonrpc":"2.0","id":"x","method":\n');
    server.writeRaw('[]\n');
    server.writeRaw(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/unknown', params: {} })}\n`);
    // Answered after the junk: the server read past it.
    answers.push(await server.request('ping'));

    for (const answer of answers) expect(answer.jsonrpc).toBe('2.0');
    expect(answers.at(-1)!.result).toEqual({});
    expect(answers[2]!.result?.structuredContent).toMatchObject({ passed: true });
    expect(answers[3]!.result?.structuredContent).toMatchObject({ state: 'succeeded', exit_code: 0 });
    expect(answers[4]!.result?.isError).toBeFalsy();

    const closedAt = server.closeStdin();
    const exit = await server.exited;
    expect(exit.at - closedAt).toBeLessThan(2000);
    const lines = server.stdoutLines.filter((line) => line !== '');
    const bad = lines.filter((line) => {
      try {
        const message = JSON.parse(line);
        return message?.jsonrpc !== '2.0';
      } catch {
        return true;
      }
    });
    console.info(
      `stdout purity: ${lines.length} lines on stdout, ${bad.length} not JSON-RPC; ${server.stderr.join('').length} characters of logs on stderr`,
    );
    expect(bad).toEqual([]);
    expect(lines.some((line) => line.startsWith('CHILD-'))).toBe(false);
    expect(server.stderr.join('')).toMatch(/serving on stdio/);
  });
});
