import { describe, expect, it } from 'vitest';
import { chooseDomain, routeGoal } from '../../src/session/route.js';
import type { Domain } from '../../src/state/sessions.js';

/**
 * Requests as people write them (the first four are the router's own
 * examples), with the domain a performance engineer would start in. Deep is
 * right when a request names no kind of cost, or several.
 */
const REQUESTS: [string, Domain][] = [
  ['Our /process endpoint takes 5s but individual calls should only take 500ms each', 'async'],
  ['test_process_large_file is using 3GB, find ways to reduce it', 'memory'],
  ["process_records is too slow, it's doing O(n^2) lookups", 'cpu'],
  ['Continue the mar20 optimization experiments', 'deep'],
  ['The worker gets OOM-killed on large uploads', 'memory'],
  ['Peak RSS of the nightly ETL doubled since the last release', 'memory'],
  ['There is a leak in the session cache: it grows every hour', 'memory'],
  ['Cut the allocations in the JSON encoder', 'memory'],
  ['Use memray to find what is alive at the peak', 'memory'],
  ['dedupe() is quadratic on big inputs', 'cpu'],
  ['Pick a better data structure for the priority queue', 'cpu'],
  ['The sorting algorithm in rank() is the bottleneck', 'cpu'],
  ['The hot loop in tokenize() burns all the CPU', 'cpu'],
  ['Speed up the in-memory cache lookups', 'cpu'],
  ['p99 latency of the API spikes under load', 'async'],
  ['We await every request one after another; add concurrency', 'async'],
  ['Something is blocking the event loop in the websocket handler', 'async'],
  ['Raise the throughput of the message consumer', 'async'],
  ['Import time of the CLI is 2 seconds', 'structure'],
  ['Our CLI startup is painfully slow', 'structure'],
  ['Lazy imports would help the test collection', 'structure'],
  ['Break the circular imports between models and services', 'structure'],
  ['Split the god module utils.py', 'structure'],
  // Ambiguous: several domains named, or none.
  ['The endpoint is slow and uses too much memory', 'deep'],
  ['Reduce startup latency of the lambda', 'deep'],
  ['CPU and memory both spike when parsing', 'deep'],
  ['Reduce import time and peak memory', 'deep'],
  ['Make it faster', 'deep'],
  ['', 'deep'],
];

describe('routing a request to a domain with the signal table', () => {
  it.each(REQUESTS)('%s → %s', (request, domain) => {
    const routed = routeGoal(request);
    expect(routed.domain).toBe(domain);
    const named = Object.keys(routed.signals);
    if (domain === 'deep') expect(named.length === 0 || named.length > 1).toBe(true);
    else expect(named).toEqual([domain]);
  });

  it('the reason quotes the words that decided', () => {
    expect(routeGoal('Peak RSS doubled and the worker is OOM-killed').reason).toBe('the goal says "OOM", "RSS", which points to memory');
    expect(routeGoal('The endpoint is slow and uses too much memory').reason).toMatch(
      /several domains \(memory: "memory"; async: "endpoint"\), so deep/,
    );
    expect(routeGoal('Make it faster').reason).toMatch(/names no domain/);
  });

  it('the domain asked for wins, then a named branch, then the goal, then the branch checked out', () => {
    const goal = 'reduce peak memory';
    expect(chooseDomain({ asked: 'cpu', goal })).toMatchObject({ domain: 'cpu', source: 'asked' });
    expect(chooseDomain({ goal, namedBranch: { name: 'perf/struct-x', domain: 'structure' } })).toMatchObject({
      domain: 'structure',
      source: 'branch',
    });
    expect(chooseDomain({ goal, currentBranch: { name: 'perf/ds-x', domain: 'cpu' } })).toMatchObject({ domain: 'memory', source: 'goal' });
    expect(chooseDomain({ goal: 'faster', currentBranch: { name: 'perf/ds-x', domain: 'cpu' } })).toMatchObject({
      domain: 'cpu',
      source: 'branch',
    });
    expect(chooseDomain({})).toMatchObject({ domain: 'deep', source: 'default', ambiguous: false });
    expect(chooseDomain({ goal: 'CPU and memory' })).toMatchObject({ domain: 'deep', source: 'goal', ambiguous: true });
  });
});
