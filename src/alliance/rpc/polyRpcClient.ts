/**
 * JSON-RPC client for a Poly (alliance chain) node (poly-protocol.md §2): POST
 * `{"jsonrpc":"2.0","method","params":[...],"id":"<string>"}`, reply `{error:int, desc, result, id}`.
 * Every failure is an SpvError with a POLY_RPC_* code; transport failures, timeouts and HTTP 5xx are retried a bounded
 * number of times with capped exponential backoff; everything else fails at once.
 */
import { SpvError } from '../../errors/spvError.js';
import type { ErrorCode } from '../../errors/codes.js';
import { silentLogger } from '../../log/logger.js';
import type { Logger } from '../../log/logger.js';

export interface PolyRpcClientOptions {
  /** e.g. `http://127.0.0.1:20336`. */
  readonly url: string;
  /** Per attempt (request + reading the body). Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Extra attempts after the first, for retryable failures only. Default 3. */
  readonly retries?: number;
  /** First backoff; doubles per retry up to maxBackoffMs. Default 200 ms. */
  readonly backoffMs?: number;
  /** Backoff cap. Default 5 000 ms. */
  readonly maxBackoffMs?: number;
  /** Replies larger than this are rejected as POLY_RPC_BAD_JSON. Default 16 MiB. */
  readonly maxResponseBytes?: number;
  readonly log?: Logger;
}

/** Node error codes (http/base/error/error.go) worth naming. */
export const POLY_RPC_CODES = {
  SUCCESS: 0,
  INVALID_METHOD: 42001,
  INVALID_PARAMS: 42002,
  INVALID_TRANSACTION: 43001,
  UNKNOWN_TRANSACTION: 44001,
  INTERNAL_ERROR: 45001,
} as const;

const HASH_HEX_RE = /^[0-9a-fA-F]{64}$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const CONTRACT_HEX_RE = /^[0-9a-fA-F]{40}$/;
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['POLY_RPC_UNREACHABLE', 'POLY_RPC_TIMEOUT']);

function checkPositiveInt(name: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) {
    throw new SpvError('CONFIG_INVALID', `PolyRpcClient: ${name} must be an integer >= ${min}`, { [name]: v });
  }
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeDetail(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** The `code` of a Node system error, looking through `cause` chains (undici wraps them as TypeError('fetch failed')). */
function systemCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && isRecordLike(e); depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isRecordLike(v: unknown): v is object {
  return (typeof v === 'object' || typeof v === 'function') && v !== null;
}

function isTimeout(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && isRecordLike(e); depth++) {
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    const code = (e as { code?: unknown }).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class PolyRpcClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxResponseBytes: number;
  private readonly log: Logger;
  private nextId = 0;

  constructor(opts: PolyRpcClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(opts.url);
    } catch (err) {
      throw new SpvError('CONFIG_INVALID', 'PolyRpcClient: url is not a valid URL', { url: opts.url }, { cause: err });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new SpvError('CONFIG_INVALID', 'PolyRpcClient: url must be http(s)', { url: opts.url });
    }
    this.url = opts.url;
    this.timeoutMs = checkPositiveInt('timeoutMs', opts.timeoutMs ?? 10_000, 1);
    this.retries = checkPositiveInt('retries', opts.retries ?? 3, 0);
    this.backoffMs = checkPositiveInt('backoffMs', opts.backoffMs ?? 200, 0);
    this.maxBackoffMs = checkPositiveInt('maxBackoffMs', opts.maxBackoffMs ?? 5_000, 0);
    this.maxResponseBytes = checkPositiveInt('maxResponseBytes', opts.maxResponseBytes ?? 16 * 1024 * 1024, 1);
    this.log = opts.log ?? silentLogger();
  }

  /** Current block height: `getblockcount` − 1 (the node returns height + 1). */
  async blockHeight(): Promise<number> {
    const result = await this.call('getblockcount', []);
    if (typeof result !== 'number' || !Number.isSafeInteger(result) || result < 1) {
      throw this.badResult('getblockcount', 'a positive integer', result);
    }
    return result - 1;
  }

  /** Raw ExecuteNotify array of block `height` (`null` → []); decode with decodeBlockEvents. */
  async eventsAtHeight(height: number): Promise<unknown[]> {
    if (!Number.isSafeInteger(height) || height < 0 || height > 0xffffffff) {
      throw new SpvError('POLY_RPC_BAD_REQUEST', 'height must be a u32', { height });
    }
    const result = await this.call('getsmartcodeevent', [height]);
    if (result === null) return [];
    if (!Array.isArray(result)) throw this.badResult('getsmartcodeevent', 'an array or null', result);
    return result as unknown[];
  }

  /**
   * The execution result of one transaction: `getsmartcodeevent ["<tx hash>"]` → `{State, Notify}` once it is in a
   * block, null while it is not (pending or unknown).
   */
  async txEvent(txHashHex: string): Promise<{ readonly state: number; readonly notify: unknown } | null> {
    if (!HASH_HEX_RE.test(txHashHex)) throw new SpvError('POLY_RPC_BAD_REQUEST', 'tx hash must be 64 hex chars', { txHashHex });
    const result = await this.call('getsmartcodeevent', [txHashHex]);
    if (result === null) return null;
    if (typeof result !== 'object' || Array.isArray(result) || typeof (result as { State?: unknown }).State !== 'number') {
      throw this.badResult('getsmartcodeevent', 'an ExecuteNotify object or null', result);
    }
    const r = result as { State: number; Notify?: unknown };
    return { state: r.State, notify: r.Notify ?? null };
  }

  /** Submits a signed tx (hex); returns its hash as display hex (64 lower-case hex chars). */
  async sendRawTransaction(txHex: string): Promise<string> {
    if (txHex.length === 0 || !HEX_RE.test(txHex)) {
      throw new SpvError('POLY_RPC_BAD_REQUEST', 'tx must be non-empty hex', { length: txHex.length });
    }
    const result = await this.call('sendrawtransaction', [txHex]);
    if (typeof result !== 'string' || !HASH_HEX_RE.test(result)) {
      throw this.badResult('sendrawtransaction', 'a 64-hex tx hash', result);
    }
    return result.toLowerCase();
  }

  /** Storage value (hex, StorageItem stripped by the node) under `keyHex` of contract `contractHex` (40 hex, reversed form), or null. */
  async getStorage(contractHex: string, keyHex: string): Promise<string | null> {
    if (!CONTRACT_HEX_RE.test(contractHex)) {
      throw new SpvError('POLY_RPC_BAD_REQUEST', 'contract must be 40 hex chars', { contractHex });
    }
    if (!HEX_RE.test(keyHex)) throw new SpvError('POLY_RPC_BAD_REQUEST', 'key must be hex', { keyHex });
    const result = await this.call('getstorage', [contractHex, keyHex]);
    if (result === null) return null;
    if (typeof result !== 'string' || !HEX_RE.test(result)) throw this.badResult('getstorage', 'hex or null', result);
    return result.toLowerCase();
  }

  /**
   * One JSON-RPC call with bounded retries; returns the `result` of a reply whose `error` is 0.
   * Exposed for methods without a typed wrapper; the caller must validate the result.
   */
  async call(method: string, params: readonly unknown[]): Promise<unknown> {
    const attempts = this.retries + 1;
    let delay = this.backoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(method, params);
      } catch (err) {
        const spv =
          err instanceof SpvError
            ? err
            : new SpvError('POLY_RPC_UNREACHABLE', 'unexpected RPC failure', { method, url: this.url }, { cause: err });
        const retryable = RETRYABLE.has(spv.code) || (spv.code === 'POLY_RPC_HTTP' && Number(spv.details['status']) >= 500);
        if (!retryable || attempt >= attempts) throw spv;
        this.log.warn({ method, code: spv.code, attempt, attempts, delayMs: delay }, 'poly rpc failed, retrying');
        await sleep(delay);
        delay = Math.min(this.maxBackoffMs, delay * 2);
      }
    }
  }

  private async attempt(method: string, params: readonly unknown[]): Promise<unknown> {
    this.nextId = (this.nextId % Number.MAX_SAFE_INTEGER) + 1;
    const id = String(this.nextId);
    const body = JSON.stringify({ jsonrpc: '2.0', method, params, id });
    let status: number;
    let text: string;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        redirect: 'manual', // a 3xx is POLY_RPC_HTTP: following it would turn the POST into a GET
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      if (status < 200 || status > 299) {
        await res.body?.cancel().catch(() => undefined);
        throw new SpvError('POLY_RPC_HTTP', `poly rpc HTTP ${status}`, { method, status, url: this.url });
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > this.maxResponseBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new SpvError('POLY_RPC_BAD_JSON', 'poly rpc reply too large', { method, bytes: declared });
      }
      text = await res.text();
    } catch (err) {
      if (err instanceof SpvError) throw err;
      if (isTimeout(err)) {
        throw new SpvError('POLY_RPC_TIMEOUT', `poly rpc ${method} timed out`, { method, timeoutMs: this.timeoutMs, url: this.url }, { cause: err });
      }
      throw new SpvError(
        'POLY_RPC_UNREACHABLE',
        `poly rpc ${method}: node unreachable`,
        { method, url: this.url, sysCode: systemCode(err) ?? '' },
        { cause: err },
      );
    }
    if (text.length > this.maxResponseBytes) {
      throw new SpvError('POLY_RPC_BAD_JSON', 'poly rpc reply too large', { method, bytes: text.length });
    }
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch (err) {
      throw new SpvError('POLY_RPC_BAD_JSON', `poly rpc ${method}: reply is not JSON`, { method, status }, { cause: err });
    }
    if (!isRecord(reply)) throw new SpvError('POLY_RPC_BAD_JSON', `poly rpc ${method}: reply is not an object`, { method });
    if (reply['id'] !== id) {
      throw new SpvError('POLY_RPC_BAD_ID', `poly rpc ${method}: reply id does not match`, {
        method,
        expected: id,
        got: describeDetail(reply['id']),
      });
    }
    const code = reply['error'];
    if (typeof code !== 'number' || !Number.isSafeInteger(code)) {
      throw new SpvError('POLY_RPC_BAD_RESULT', `poly rpc ${method}: error field is not an integer`, {
        method,
        error: describeDetail(code),
      });
    }
    if (code !== 0) {
      const desc = typeof reply['desc'] === 'string' ? reply['desc'] : '';
      const fromResult = describeDetail(reply['result']);
      // Pitfall 12: tx-pool errors carry the detail in `result`; desc may be "" for unmapped codes.
      const detail = fromResult !== '' ? fromResult : desc;
      throw new SpvError('POLY_RPC_ERROR', `poly rpc ${method}: node error ${code}${detail ? `: ${detail}` : ''}`, {
        method,
        rpcCode: code,
        desc,
        detail,
      });
    }
    return reply['result'];
  }

  private badResult(method: string, expected: string, got: unknown): SpvError {
    return new SpvError('POLY_RPC_BAD_RESULT', `poly rpc ${method}: result is not ${expected}`, {
      method,
      expected,
      got: got === null ? 'null' : describeDetail(got).slice(0, 200),
    });
  }
}
