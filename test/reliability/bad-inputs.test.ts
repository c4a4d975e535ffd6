import { linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { type Connected, connectStdio, textOf } from '../helpers/mcp-client.js';
import { alive } from '../helpers/processes.js';
import { projectSnapshot } from './support.js';

/** One megabyte of one letter: no message may quote more than 200 of them. */
const MB = 'x'.repeat(1024 * 1024);
const R = { target: 'parse', hypothesis: 'h', metric: 'wall_s', baseline: 1, value: 0.9, status: 'keep', override_reason: 'by hand' };
const C = { base: 'HEAD', head: 'HEAD', command: 'bench.py' };
const B = { good: 'HEAD', bad: 'HEAD', command: 'bench.py' };

/**
 * Bad calls across every tool, each with the refusal it must get. Over JSON a
 * NaN or an Infinity arrives as null; the raw-stdio file sends 1e999 itself.
 */
const TABLE: Array<[string, Record<string, unknown>, RegExp]> = [
  // session_start: wrong types, paths out of the root, hostile branch names
  ['session_start', { root: 5 }, /root: Invalid input: expected string/],
  ['session_start', { root: MB }, /root: Too big/],
  ['session_start', { root: '../..' }, /root must not contain "\.\."/],
  ['session_start', { root: '/etc' }, /outside the allowed roots/],
  ['session_start', { root: 'outdir' }, /outside the allowed roots/],
  ['session_start', { root: 'a\u0000b' }, /root: holds a NUL character/],
  ['session_start', { domain: 'speed' }, /domain: Invalid option/],
  ['session_start', { branch: '-D' }, /must not start with "-"/],
  ['session_start', { branch: ' --force' }, /must not start with "-"/],
  ['session_start', { branch: '$(touch pwned)' }, /is refused: a slug is letters, digits/],
  ['session_start', { branch: 'a;rm -rf ~' }, /is refused: a slug is letters, digits/],
  ['session_start', { branch: 'perf/`id`' }, /is refused: a branch name here is letters, digits/],
  ['session_start', { branch: 'perf/a..b' }, /not usable: .*contains "\.\."/],
  ['session_start', { branch: MB }, /branch: Too big/],
  ['session_start', { guard: '--version' }, /guard ".*" is refused: it starts with "-"/],
  ['session_start', { guard: '   ' }, /guard is not a command/],
  ['session_start', { goal: MB }, /goal: Too big/],
  ['session_resume', { root: '/' }, /outside the allowed roots/],
  ['session_resume', { checkout: 'yes' }, /checkout: Invalid input: expected boolean/],
  ['session_status', { session_id: 's-00000000' }, /unknown session s-00000000/],
  ['session_status', { session_id: MB }, /session_id: Too big/],
  // record_result: missing fields, bad numbers, extremes whose percentages overflow
  ['record_result', {}, /target: Invalid input: expected string/],
  ['record_result', { ...R, baseline: '1' }, /baseline: Invalid input: expected number/],
  ['record_result', { ...R, baseline: null }, /baseline: Invalid input: expected number/],
  ['record_result', { ...R, value: null }, /value: Invalid input: expected number/],
  ['record_result', { ...R, baseline: 0 }, /baseline must be greater than 0/],
  ['record_result', { ...R, baseline: -1 }, /baseline must be greater than 0/],
  ['record_result', { ...R, value: -0.5 }, /value must not be negative/],
  ['record_result', { ...R, baseline: 5e-324, value: 1.7976931348623157e308, direction: 'higher' }, /too far apart/],
  ['record_result', { ...R, baseline: 1e-320, value: 1 }, /too far apart/],
  ['record_result', { ...R, baseline: 1e-300, value: 1e300 }, /too far apart/],
  ['record_result', { ...R, baseline: 1e-10, value: 1e300 }, /too far from the session baseline|too far apart/],
  ['record_result', { ...R, status: 'maybe' }, /status: Invalid option/],
  ['record_result', { ...R, direction: 'sideways' }, /direction: Invalid option/],
  ['record_result', { ...R, target: MB }, /target: Too big/],
  ['record_result', { ...R, target: '-rf' }, /target "-rf" is refused/],
  ['record_result', { ...R, target: 'a\u0000b' }, /target: holds a NUL character/],
  ['record_result', { ...R, hypothesis: '' }, /hypothesis: Too small/],
  ['record_result', { ...R, commit: 'xyz' }, /commit must be a hex sha/],
  ['record_result', { ...R, comparison_id: 'cmp-nope' }, /unknown comparison cmp-nope/],
  ['record_result', { ...R, session_id: 's-nope' }, /unknown session s-nope/],
  ['record_learning', { title: 't' }, /body: Invalid input: expected string/],
  ['record_learning', { title: MB, body: 'b', evidence: 'e' }, /title: Too big/],
  ['record_learning', { title: 't', body: 'b', evidence: 'e', session_id: 's-nope' }, /unknown session s-nope/],
  ['set_convention', { topic: 'a/b', rule: 'x' }, /topic: letters, digits/],
  ['set_convention', { topic: '', rule: 'x' }, /topic: Too small/],
  ['set_convention', { topic: 'guard', rule: '--exec=evil' }, /guard "--exec=evil" is refused/],
  ['set_convention', { topic: 'guard', rule: '   ' }, /guard is not a command/],
  ['set_convention', { topic: 'style', rule: MB }, /rule: Too big/],
  ['run_guard', { timeout_s: 0 }, /timeout_s: Too small/],
  ['run_guard', { timeout_s: 1.5 }, /timeout_s: Invalid input: expected int/],
  ['run_guard', { revert_on_failure: 'true' }, /revert_on_failure: Invalid input: expected boolean/],
  ['run_guard', { session_id: 's-nope' }, /unknown session s-nope/],
  // profile: paths out of the root (directly, by .., through symlinks), missing scripts, NUL, bounds
  ['profile', {}, /command: Invalid input/],
  ['profile', { command: 42 }, /command: Invalid input/],
  ['profile', { command: [] }, /command: Invalid input|Too small/],
  ['profile', { command: '../outside.py' }, /\.\.\/outside\.py is outside the project root/],
  ['profile', { command: ['python3', '/etc/passwd'] }, /\/etc\/passwd is outside the project root/],
  ['profile', { command: 'link.py' }, /link\.py is outside the project root/],
  ['profile', { command: 'outdir/x.py' }, /outdir\/x\.py is outside the project root/],
  ['profile', { command: 'no_such_script.py' }, /no_such_script\.py is neither a file/],
  ['profile', { command: 'bench.py\u0000' }, /command: holds a NUL character/],
  ['profile', { command: ['bench.py', MB] }, /command: Invalid input|Too big/],
  ['profile', { command: 'bench.py', profiler: 'vtune' }, /unknown profiler "vtune"/],
  ['profile', { command: 'bench.py', mode: 'import', language: 'go' }, /there is no import profiler for go/],
  ['profile', { command: 'bench.py', native: true }, /native frames come from py-spy only/],
  ['profile', { command: 'bench.py', top: 1e6 }, /top: Too big/],
  ['profile', { command: 'bench.py', timeout_s: 1e308 }, /timeout_s: Too big/],
  ['profile', { command: '-X importtime bench.py' }, /interpreter option -X is not supported/],
  // benchmark_compare: refs that look like options or shell, unknown refs, paths out of the root, bounds
  ['benchmark_compare', { head: 'HEAD', command: 'bench.py' }, /base: Invalid input: expected string/],
  ['benchmark_compare', { ...C, base: '-h' }, /base "-h" is refused/],
  ['benchmark_compare', { ...C, head: '--output=/tmp/x' }, /head "--output=\/tmp\/x" is refused/],
  ['benchmark_compare', { ...C, base: ' -x' }, /is refused: it starts with "-"/],
  ['benchmark_compare', { ...C, base: '$(touch pwned)' }, /unknown git ref "\$\(touch pwned\)"/],
  ['benchmark_compare', { ...C, base: 'HEAD;id' }, /unknown git ref "HEAD;id"/],
  ['benchmark_compare', { ...C, head: '`id`' }, /unknown git ref "`id`"/],
  ['benchmark_compare', { ...C, base: 'no-such-ref' }, /unknown git ref "no-such-ref"/],
  ['benchmark_compare', { ...C, base: 'HEAD\u0000' }, /base: holds a NUL character/],
  ['benchmark_compare', { ...C, base: MB }, /base: Too big/],
  ['benchmark_compare', { ...C, runs: 0 }, /runs: Too small/],
  ['benchmark_compare', { ...C, runs: 1e9 }, /runs: Too big/],
  ['benchmark_compare', { ...C, runs: 2.5 }, /runs: Invalid input: expected int/],
  ['benchmark_compare', { ...C, precision_pct: 0 }, /precision_pct: Too small/],
  ['benchmark_compare', { ...C, inject: ['../x.py'] }, /inject path \.\.\/x\.py is outside the project root/],
  ['benchmark_compare', { ...C, inject: ['/etc/passwd'] }, /inject path \/etc\/passwd is outside the project root/],
  ['benchmark_compare', { ...C, inject: ['link.py'] }, /inject path link\.py is outside the project root/],
  ['benchmark_compare', { ...C, benchmark: 'tests' }, /either command or benchmark, not both/],
  ['benchmark_compare', { ...C, mode: 'cycles' }, /mode: Invalid option/],
  ['benchmark_bisect', { ...B, good: 'no-such-ref' }, /unknown git ref "no-such-ref"/],
  ['benchmark_bisect', { ...B, bad: '$(touch pwned)' }, /unknown git ref "\$\(touch pwned\)"/],
  ['benchmark_bisect', { ...B, good: '--all' }, /is refused: it starts with "-"/],
  ['benchmark_bisect', { ...B, good: 'HEAD\u0000' }, /good: holds a NUL character/],
  ['benchmark_bisect', { ...B, benchmark: 'tests' }, /either command or benchmark, not both/],
  ['benchmark_bisect', { ...B, mode: 'cycles' }, /mode: Invalid option/],
  ['micro_benchmark', { language: 'ruby', a: '1', b: '2' }, /language: Invalid option/],
  ['micro_benchmark', { language: 'python', a: '1' }, /b: Invalid input: expected string/],
  ['micro_benchmark', { language: 'python', a: MB, b: '1' }, /a: Too big/],
  ['micro_benchmark', { language: 'python', a: '1', b: '2', runs: 1 }, /runs: Too small/],
  ['micro_benchmark', { language: 'python', a: '1', b: '2', processes: 1000 }, /processes: Too big/],
  ['micro_benchmark', { language: 'python', a: 'x\u0000', b: '1' }, /a: holds a NUL character/],
  // benchmark hosts: names, addresses and keys checked before any connection
  ['vm_host_add', { name: 'a b', host: '127.0.0.1', user: 'u', auth: 'agent' }, /name must be letters, digits/],
  ['vm_host_add', { name: 'h', host: '-oProxyCommand=x', user: 'u', auth: 'agent' }, /host "-oProxyCommand=x" is not a host name or IP/],
  ['vm_host_add', { name: 'h', host: '127.0.0.1', user: 'u', auth: 'key' }, /auth "key" needs key_path/],
  [
    'vm_host_add',
    { name: 'h', host: '127.0.0.1', user: 'u', auth: 'key', key_path: '/nonexistent/k' },
    /key file \/nonexistent\/k does not exist/,
  ],
  ['vm_host_add', { name: 'h', host: '127.0.0.1', user: 'u', auth: 'agent', fingerprint: 'MD5:aa' }, /fingerprint must be a SHA256/],
  ['vm_host_add', { name: 'h', host: '127.0.0.1', user: 'u', auth: 'password' }, /auth: Invalid option/],
  ['vm_host_remove', {}, /name: Invalid input: expected string/],
  ['vm_bench', { base: 'HEAD', head: 'HEAD', command: 'bench.py' }, /pass host, or hosts/],
  ['vm_bench', { host: 'nope', base: 'HEAD', head: 'HEAD', command: 'bench.py' }, /unknown host "nope"/],
  ['vm_bench', { host: 'a', hosts: ['b'], base: 'HEAD', head: 'HEAD', command: 'bench.py' }, /pass host or hosts, not both/],
  ['vm_bench', { hosts: Array(100).fill('a'), base: 'HEAD', head: 'HEAD' }, /hosts: Too big/],
  // jobs and artifacts: unknown ids and URIs, names that try to leave the state directory
  ['job_status', {}, /job_id: Invalid input: expected string/],
  ['job_status', { job_id: 'job-0000000000' }, /unknown job job-0000000000/],
  ['job_status', { job_id: '../../etc/passwd' }, /unknown job/],
  ['job_status', { job_id: 'job-0000000000', wait_s: 1e6 }, /wait_s: Too big/],
  ['job_status', { job_id: 'job-0000000000', wait_s: -1 }, /wait_s: Too small/],
  ['job_cancel', { job_id: 'job-nope' }, /unknown job job-nope/],
  ['scan', { command: '' }, /command: /],
  ['scan', { command: 'x', timeout_s: 0 }, /timeout_s: Too small/],
  ['scan', { benchmark: MB }, /benchmark: Too big/],
  ['scan', { command: ['python3', '/etc/passwd'] }, /outside the project root/],
  ['target_dossier', { rank: 0 }, /rank: Too small/],
  ['target_dossier', { target: MB }, /target: Too big/],
  ['target_dossier', { profile_id: 'prof-0000000000' }, /unknown|no (stored )?profile|not found/i],
  ['read_artifact', { uri: 'codeflash://files/../state.sqlite' }, /not a codeflash resource/],
  ['read_artifact', { uri: 'codeflash://files/..%2Fstate.sqlite' }, /not a \.codeflash file name/],
  ['read_artifact', { uri: 'codeflash://files/state.sqlite' }, /not a \.codeflash file name/],
  ['read_artifact', { uri: 'codeflash://files/evil.md' }, /evil\.md .* is a symbolic link/],
  ['read_artifact', { uri: 'codeflash://files/hard.md' }, /hard\.md .* is a hard link/],
  ['read_artifact', { uri: 'codeflash://files/%ZZ.md' }, /not a codeflash resource/],
  ['read_artifact', { uri: 'codeflash://jobs/job-nope' }, /unknown job job-nope/],
  ['read_artifact', { uri: 'codeflash://profiles/p-nope' }, /unknown profile p-nope/],
  ['read_artifact', { uri: 'codeflash://comparisons/c-nope' }, /unknown comparison c-nope/],
  ['read_artifact', { uri: 'file:///etc/passwd' }, /not a codeflash resource/],
  ['read_artifact', { uri: MB }, /uri: Too big/],
  ['read_artifact', { uri: 'codeflash://files/setup.md', offset: -1 }, /offset: Too small/],
  ['write_handoff', {}, /next_steps: Invalid input: expected array/],
  ['write_handoff', { next_steps: 'x' }, /next_steps: Invalid input: expected array/],
  ['write_handoff', { next_steps: Array(1000).fill('x') }, /next_steps: Too big/],
  ['write_handoff', { next_steps: ['x'], summary: MB }, /summary: Too big/],
  ['write_changelog', { session_id: 's-nope' }, /unknown session s-nope/],
  // the pull-request half: unknown comparisons, bad templates and findings, exports out of bounds
  ['pr_inventory', { session_id: 's-nope' }, /unknown session s-nope/],
  ['pr_body', {}, /comparison_id: Invalid input: expected string/],
  ['pr_body', { comparison_id: 'cmp-nope' }, /unknown comparison cmp-nope/],
  ['pr_body', { comparison_id: 'cmp-nope', mode: 'all' }, /mode: Invalid option/],
  ['pr_body', { comparison_id: 'cmp-nope', summary: [MB] }, /summary\.0: Too big/],
  ['write_review', { verdict: 'LGTM', findings: [] }, /verdict: Invalid option/],
  [
    'write_review',
    { verdict: 'APPROVE', findings: [{ pass: 'style', severity: 'minor', text: 't' }] },
    /findings\.0\.pass: pass must be one of comprehension, correctness, safety, benchmark_verification, quality, disclosure/,
  ],
  [
    'write_review',
    { verdict: 'APPROVE', findings: [{ pass: 'quality', severity: 'minor', text: 't', line: 0 }] },
    /findings\.0\.line: line counts from 1/,
  ],
  [
    'write_review',
    { verdict: 'APPROVE', findings: [{ pass: 'quality', severity: 'blocker', text: 't' }] },
    /findings\.0\.severity: severity must be one of critical, major, minor, info/,
  ],
  ['write_case_study', {}, /dest: Invalid input: expected string/],
  ['write_case_study', { dest: '/etc' }, /dest \/etc is outside the project and its state directory/],
  ['write_case_study', { dest: '../../..' }, /is outside the project and its state directory/],
  ['session_cleanup', { session_id: 's-nope' }, /unknown session s-nope/],
  ['session_cleanup', { dry_run: 'yes' }, /dry_run: Invalid input: expected boolean/],
  ['no_such_tool', {}, /unknown tool no_such_tool/],
];

/** Words that would mean the server failed instead of refusing. */
const FAULT = /server fault|TypeError|ReferenceError|RangeError|Cannot read|undefined is not|ENAMETOOLONG|ENOENT|\bat \S+\.js:\d+/;

let mcp: Connected;
let root: string;
let before: string;

beforeAll(async () => {
  root = makeRepo({ ...PYTHON_PROJECT, 'bench.py': 'print(sum(range(1000)))\n' });
  const outside = mkdtempSync(join(tmpdir(), 'cf-outside-'));
  writeFileSync(join(outside, 'x.py'), 'print("outside")\n');
  writeFileSync(join(outside, 'secret.md'), '# secret\n');
  symlinkSync(join(outside, 'x.py'), join(root, 'link.py'));
  symlinkSync(outside, join(root, 'outdir'));
  mcp = await connectStdio(['--root', root]);
  // Listing the tools makes the SDK client check every structured result against its output schema.
  await mcp.client.listTools();
  const start = await mcp.call('session_start', { guard: 'true' });
  expect(start.isError, textOf(start)).toBeFalsy();
  expect((await mcp.call('record_result', { ...R, status: 'baseline', value: 1 })).isError).toBeFalsy();
  mkdirSync(join(root, '.codeflash'), { recursive: true });
  symlinkSync(join(outside, 'secret.md'), join(root, '.codeflash', 'evil.md'));
  linkSync(join(outside, 'secret.md'), join(root, '.codeflash', 'hard.md'));
  before = projectSnapshot(root);
});

afterAll(async () => {
  await mcp?.close();
});

describe(`${TABLE.length} bad calls over stdio`, () => {
  it('the table covers every tool the server lists, with at least 60 calls', async () => {
    const { tools } = await mcp.client.listTools();
    // vm_hosts takes no input, so no call to it is bad.
    const covered = new Set([...TABLE.map(([tool]) => tool), 'vm_hosts']);
    expect(tools.map((t) => t.name).filter((name) => !covered.has(name))).toEqual([]);
    expect(TABLE.length).toBeGreaterThanOrEqual(60);
  });

  it.each(TABLE)('%s %j is refused with a short, clear message and changes nothing', async (tool, args, expected) => {
    const result = await mcp.call(tool, args);
    const message = textOf(result);
    expect(result.isError, message).toBe(true);
    expect(message).toMatch(expected);
    expect(message).not.toMatch(FAULT);
    expect(message.length).toBeLessThan(600);
    expect(message).not.toContain('x'.repeat(201));
    expect(projectSnapshot(root)).toBe(before);
  });

  it('protocol-level mistakes are errors too: an unknown resource, prompt or method', async () => {
    await expect(mcp.client.readResource({ uri: 'codeflash://files/evil.md' })).rejects.toThrow(/symbolic link/);
    await expect(mcp.client.readResource({ uri: 'codeflash://nothing' })).rejects.toThrow(/not a codeflash resource/);
    await expect(mcp.client.getPrompt({ name: 'no_such_prompt' })).rejects.toThrow(/unknown prompt/);
    await expect(mcp.client.request({ method: 'no/such/method', params: {} } as never, {} as never)).rejects.toThrow();
    expect(projectSnapshot(root)).toBe(before);
  });

  it('the server is still up and answering after all of them', async () => {
    expect(alive(mcp.pid)).toBe(true);
    const status = await mcp.call('session_status', {});
    expect(status.isError, textOf(status)).toBeFalsy();
    expect(status.structuredContent).toMatchObject({ stats: { experiments: 0, baseline: { value: 1 } } });
  });
});
