import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actionOf, REST_CODES, RestError } from '../../../src/api/envelope.js';
import { toRestError } from '../../../src/api/errorMap.js';
import { probe } from '../../../src/api/probe.js';
import { decodeTransaction } from '../../../src/api/tx.js';
import { parseUtcDateTime } from '../../../src/api/utcTime.js';
import { ERROR_CODES } from '../../../src/errors/codes.js';
import { SpvError } from '../../../src/errors/spvError.js';
import { signedTransaction } from './apiTestUtil.js';

describe('parseUtcDateTime', () => {
  test('valid dates and times, including leap days, in UTC', () => {
    assert.equal(parseUtcDateTime('1970-01-01 00:00:00'), 0);
    assert.equal(parseUtcDateTime('2009-01-03 18:15:05'), 1231006505);
    assert.equal(parseUtcDateTime('2024-02-29 23:59:59'), Date.UTC(2024, 1, 29, 23, 59, 59) / 1000);
    assert.equal(parseUtcDateTime('2000-02-29 00:00:00'), Date.UTC(2000, 1, 29) / 1000);
    // years below 100 are not mapped to 19xx
    assert.equal(new Date(parseUtcDateTime('0050-06-01 00:00:00')! * 1000).getUTCFullYear(), 50);
  });

  test('impossible dates and other formats are null', () => {
    for (const s of ['2023-02-29 00:00:00', '1900-02-29 00:00:00', '2024-02-30 00:00:00', '2024-06-31 00:00:00', '2024-12-32 00:00:00', '2024-00-01 00:00:00', '2024-01-01 25:00:00', '2024-01-01 00:60:00', '2024-01-01 00:00:60', '2024-01-01', '2024/01/01 00:00:00', '2024-01-01 00:00:00.000', '+2024-01-01 00:00:00']) {
      assert.equal(parseUtcDateTime(s), null, s);
    }
  });
});

describe('decodeTransaction', () => {
  test('returns the raw bytes and txid of a signed transaction', () => {
    const tx = signedTransaction();
    const d = decodeTransaction(tx.hex);
    assert.equal(d.txid, tx.txid);
    assert.equal(Buffer.from(d.raw).toString('hex'), tx.hex);
  });

  test('rejects bad hex as INVALID_PARAMS and unparsable transactions as ILLEGAL_DATAFORMAT', () => {
    const is = (code: keyof typeof REST_CODES) => (err: unknown) => err instanceof RestError && err.restCode === code && err.status === 400;
    for (const hex of ['', 'a', 'zz']) assert.throws(() => decodeTransaction(hex), is('INVALID_PARAMS'));
    for (const hex of ['00', 'deadbeef', `${signedTransaction().hex}ff`]) assert.throws(() => decodeTransaction(hex), is('ILLEGAL_DATAFORMAT'));
  });
});

describe('toRestError', () => {
  test('every SpvError code maps to a status and a REST code; workers down are 503', () => {
    for (const code of ERROR_CODES) {
      const e = toRestError(new SpvError(code, 'x'));
      assert.ok(e.status >= 400 && e.status < 600, code);
      assert.ok(REST_CODES[e.restCode] >= 42001, code);
    }
    for (const code of ['WORKER_UNAVAILABLE', 'WORKER_CRASHED', 'SHUTTING_DOWN'] as const) {
      assert.equal(toRestError(new SpvError(code, 'x')).status, 503);
    }
    assert.equal(toRestError(new SpvError('INVARIANT', 'x')).status, 500);
    assert.equal(toRestError('thrown string').status, 500);
    assert.equal(toRestError(null).restCode, 'INTERNAL_ERROR');
  });
});

describe('actionOf', () => {
  test('is the last path segment, query ignored, bounded', () => {
    assert.equal(actionOf('/api/v1/getcurrentheight?x=1'), 'getcurrentheight');
    assert.equal(actionOf('/api/v1/rollback/'), 'rollback');
    assert.equal(actionOf('/'), '');
    assert.equal(actionOf(`/${'a'.repeat(500)}`).length, 64);
  });
});

describe('probe', () => {
  test('settles with the value, the error, or a WORKER_UNAVAILABLE timeout', async () => {
    assert.deepEqual(await probe(async () => 5), { ok: true, value: 5 });
    const failed = await probe(async () => {
      throw new Error('x');
    });
    assert.equal(failed.ok, false);
    const hung = await probe(() => new Promise<never>(() => undefined), 20);
    assert.ok(!hung.ok && hung.error instanceof SpvError && hung.error.code === 'WORKER_UNAVAILABLE');
  });
});
