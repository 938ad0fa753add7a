/**
 * The alliance worker's own database (level, separate from the header store; only the alliance worker opens
 * it). Key layout, all UTF-8 strings with JSON values:
 *
 *   meta                 {format, network}
 *   next                 next alliance-chain height to scan (number)
 *   d/<txid>             DepositRecord      (BTC txid, display hex)
 *   w/<id>               WithdrawalRecord   (unsigned BTC tx hash, display hex)
 *   u/<txid>:<vout>      UtxoRecord         (vout zero-padded to 10 digits so keys sort by outpoint)
 *
 * Every multi-record change is one level batch, so a crash leaves either all of it or none (the observer
 * stores a block's items and the next height together: original-spvclient.md §8 item 18).
 */
import { Level } from 'level';
import { SpvError } from '../../errors/spvError.js';
import type { DepositRecord, UtxoRecord, WithdrawalRecord } from '../../protocol/allianceRecords.js';

const FORMAT = 1;
type Db = Level<string, string>;
export type StoreOp = { readonly type: 'put'; readonly key: string; readonly value: string } | { readonly type: 'del'; readonly key: string };

export const depositKey = (txid: string): string => `d/${txid}`;
export const withdrawalKey = (id: string): string => `w/${id}`;
export const utxoKey = (txid: string, vout: number): string => `u/${txid}:${String(vout).padStart(10, '0')}`;

function corrupt(key: string, cause?: unknown): SpvError {
  return new SpvError('ALLIANCE_STORE_CORRUPT', 'an alliance store record is unreadable', { key }, { cause });
}

function parseJson<T>(key: string, raw: string, check: (v: Record<string, unknown>) => boolean): T {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw corrupt(key, err);
  }
  if (typeof v !== 'object' || v === null || !check(v as Record<string, unknown>)) throw corrupt(key);
  return v as T;
}

const isDeposit = (v: Record<string, unknown>): boolean => typeof v.txid === 'string' && typeof v.state === 'string';
const isWithdrawal = (v: Record<string, unknown>): boolean => typeof v.id === 'string' && typeof v.state === 'string';
const isUtxo = (v: Record<string, unknown>): boolean => typeof v.txid === 'string' && typeof v.vout === 'number';

function mapOpenError(err: unknown, path: string): SpvError {
  let e: unknown = err;
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i++) {
    if ((e as { code?: unknown }).code === 'LEVEL_LOCKED') {
      return new SpvError('STORE_LOCKED', 'the alliance store is in use by another process', { path }, { cause: err });
    }
    e = (e as { cause?: unknown }).cause;
  }
  return new SpvError('STORE_OPEN_FAILED', 'cannot open the alliance store', { path }, { cause: err });
}

export class AllianceStore {
  private constructor(private readonly db: Db) {}

  /** Opens (creating if missing) the store; refuses one made for another network. */
  static async open(path: string, network: string): Promise<AllianceStore> {
    const db: Db = new Level<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (err) {
      throw mapOpenError(err, path);
    }
    try {
      const meta = await db.get('meta');
      if (meta === undefined) {
        await db.put('meta', JSON.stringify({ format: FORMAT, network }));
      } else {
        const m = parseJson<{ format: number; network: string }>('meta', meta, (v) => typeof v.network === 'string');
        if (m.format !== FORMAT) throw corrupt('meta');
        if (m.network !== network) {
          throw new SpvError('STORE_WRONG_NETWORK', 'the alliance store belongs to another network', { path, stored: m.network, network });
        }
      }
    } catch (err) {
      await db.close();
      throw err;
    }
    return new AllianceStore(db);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async nextHeight(): Promise<number | null> {
    const raw = await this.db.get('next');
    if (raw === undefined) return null;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 0) throw corrupt('next');
    return n;
  }

  async deposit(txid: string): Promise<DepositRecord | null> {
    const key = depositKey(txid);
    const raw = await this.db.get(key);
    return raw === undefined ? null : parseJson<DepositRecord>(key, raw, isDeposit);
  }

  async withdrawal(id: string): Promise<WithdrawalRecord | null> {
    const key = withdrawalKey(id);
    const raw = await this.db.get(key);
    return raw === undefined ? null : parseJson<WithdrawalRecord>(key, raw, isWithdrawal);
  }

  async utxo(txid: string, vout: number): Promise<UtxoRecord | null> {
    const key = utxoKey(txid, vout);
    const raw = await this.db.get(key);
    return raw === undefined ? null : parseJson<UtxoRecord>(key, raw, isUtxo);
  }

  /** Records under a prefix in key order, at most `limit`, starting after `after` (an id) when given. */
  private async list<T>(prefix: string, check: (v: Record<string, unknown>) => boolean, limit: number, after?: string): Promise<T[]> {
    const out: T[] = [];
    const gt = after !== undefined ? `${prefix}${after}` : prefix;
    for await (const [key, raw] of this.db.iterator({ gt, lt: `${prefix}\xff`, limit })) {
      out.push(parseJson<T>(key, raw, check));
    }
    return out;
  }

  deposits(limit = 1000, after?: string): Promise<DepositRecord[]> {
    return this.list<DepositRecord>('d/', isDeposit, limit, after);
  }

  withdrawals(limit = 1000, after?: string): Promise<WithdrawalRecord[]> {
    return this.list<WithdrawalRecord>('w/', isWithdrawal, limit, after);
  }

  utxos(limit = 100_000): Promise<UtxoRecord[]> {
    return this.list<UtxoRecord>('u/', isUtxo, limit);
  }

  /** Operations for a batch (kept as data so callers compose one atomic write). */
  static putDeposit(r: DepositRecord): StoreOp {
    return { type: 'put', key: depositKey(r.txid), value: JSON.stringify(r) };
  }

  static putWithdrawal(r: WithdrawalRecord): StoreOp {
    return { type: 'put', key: withdrawalKey(r.id), value: JSON.stringify(r) };
  }

  static putUtxo(r: UtxoRecord): StoreOp {
    return { type: 'put', key: utxoKey(r.txid, r.vout), value: JSON.stringify(r) };
  }

  static putNextHeight(height: number): StoreOp {
    return { type: 'put', key: 'next', value: String(height) };
  }

  /** One atomic write. */
  async write(ops: readonly StoreOp[]): Promise<void> {
    if (ops.length === 0) return;
    try {
      await this.db.batch(ops.map((o) => (o.type === 'put' ? { type: 'put', key: o.key, value: o.value } : { type: 'del', key: o.key })));
    } catch (err) {
      throw new SpvError('STORE_WRITE_FAILED', 'alliance store write failed', { ops: ops.length }, { cause: err });
    }
  }
}
