import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueSkus } from '../src/dedupe.js';

test('keeps first-seen order', () => {
  assert.deepEqual(uniqueSkus([{ skus: ['b', 'a'] }, { skus: ['a', 'c', 'b'] }]), ['b', 'a', 'c']);
});

test('empty', () => {
  assert.deepEqual(uniqueSkus([]), []);
  assert.deepEqual(uniqueSkus([{ skus: [] }]), []);
});
