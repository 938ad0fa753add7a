/**
 * One misbehaving scripted peer next to an honest one, against a fresh in-process node (test/helpers/peerHarness):
 * the check asserts the outcome for the adversary, then every scenario asserts what must hold whatever the
 * adversary did: sync completes from the honest peer, the store audits clean, the node still answers, and its
 * bookkeeping stays bounded.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { ChainParams } from '../../../src/chain/params.js';
import { REGTEST } from '../../../src/chain/params.js';
import { hashToHex } from '../../../src/util/bytes.js';
import { ChainBuilder } from '../../helpers/chainBuilder.js';
import type { ErrorCode } from '../../../src/errors/codes.js';
import type { NetCounters } from '../../../src/protocol/net.js';
import type { StartSpec } from '../../../src/protocol/chain.js';
import type { NetConfig } from '../../../src/protocol/net.js';
import { TestNode, until } from '../../helpers/peerHarness.js';
import { ScriptedPeer } from '../../helpers/scriptedPeer.js';
import type { ScriptedPeerBehaviour } from '../../helpers/scriptedPeer.js';
import type { WireConnection } from '../../helpers/wireConnection.js';
import type { WireMessage } from '../../../src/wire/index.js';

/** Both peers ready before sync starts, so the adversary (it claims more) is the first sync peer. */
export const BOTH = { minPeersForSync: 2 } as const;

/** The honest side of a describe block's scenarios: its regtest chain and the scripted peer serving it. */
export interface HonestSide {
  /** Built up to the honest tip; `builder.fork(h)` branches off it. */
  readonly builder: ChainBuilder;
  /** Heights 1..length (raw index i is height i + 1). */
  readonly raw: Uint8Array;
  readonly tipHex: string;
  /** The running peer (from the block's `before` hook on). */
  readonly peer: ScriptedPeer;
}

/**
 * Registers, in the calling describe block, an honest scripted peer serving `length` regtest headers for all of
 * the block's scenarios, started before them and closed after them.
 */
export function honestSide(length = 2_100): HonestSide {
  const builder = new ChainBuilder(REGTEST);
  const raw = builder.extend(length).raw;
  const tipHex = hashToHex(builder.tipHash);
  let peer: ScriptedPeer | null = null;
  before(async () => {
    peer = await ScriptedPeer.start({ chain: raw, handshake: { startHeight: length } });
  });
  after(async () => {
    await peer?.close();
  });
  return {
    builder,
    raw,
    tipHex,
    get peer(): ScriptedPeer {
      if (peer === null) throw new Error('the honest peer is used outside its describe block');
      return peer;
    },
  };
}

export interface ScenarioOptions {
  readonly honest: ScriptedPeer;
  /** The honest peer's tip (display hex): the node must reach it. */
  readonly tipHex: string;
  readonly adversary: ScriptedPeer;
  readonly params?: ChainParams;
  readonly start?: StartSpec;
  readonly net?: Partial<NetConfig>;
  /** How long sync from the honest peer may take once the check is done (default 20 s: an upper bound for a loaded machine). */
  readonly syncTimeoutMs?: number;
}

/** Runs `check` against a node connected to both peers, then the common checks. Returns the final counters. */
export async function nextToHonest(opts: ScenarioOptions, check: (node: TestNode) => Promise<void>): Promise<NetCounters> {
  const node = await TestNode.start({
    peers: [opts.adversary.port, opts.honest.port],
    ...(opts.params !== undefined ? { params: opts.params } : {}),
    ...(opts.start !== undefined ? { start: opts.start } : {}),
    ...(opts.net !== undefined ? { net: opts.net } : {}),
  });
  try {
    await check(node);
    await node.waitForTip(opts.tipHex, opts.syncTimeoutMs ?? 20_000);
    const audit = await node.chain.audit();
    assert.equal(audit.ok, true, `store audit: ${audit.problems.join('; ')}`);
    const c = node.counters();
    assertBounded(c);
    return c;
  } finally {
    await node.close();
    await opts.adversary.close();
  }
}

/** Bounds that hold for any scenario with two configured peers. */
export function assertBounded(c: NetCounters): void {
  assert.ok(c.peers <= 2, `connections: ${c.peers}`);
  assert.ok(c.ownNonces <= c.peers, `version nonces kept: ${c.ownNonces} for ${c.peers} connections`);
  assert.ok(c.retryEntries <= 2, `retry entries: ${c.retryEntries}`);
  assert.ok(c.stalledEntries <= 2, `stalled entries: ${c.stalledEntries}`);
  assert.ok(c.unconnectingEntries <= 2, `unconnecting entries: ${c.unconnectingEntries}`);
  assert.ok(c.requestsOutstanding <= 2, `outstanding requests: ${c.requestsOutstanding}`);
}

/** Waits (bounded) for the adversary to be banned with `code` and disconnected. */
export async function expectBanned(node: TestNode, adversary: ScriptedPeer, code: ErrorCode, timeoutMs = 10_000): Promise<void> {
  await until(`ban of the adversary (${code})`, async () => (await node.banOf(adversary.port)) !== undefined, timeoutMs);
  assert.equal((await node.banOf(adversary.port))?.reason, code);
  await until('the adversary disconnected', () => adversary.connections.length > 0 && adversary.open.length === 0, timeoutMs);
}

/** Waits (bounded) for the adversary's first connection to be closed by us, and checks it is not banned. */
export async function expectDroppedNotBanned(node: TestNode, adversary: ScriptedPeer, timeoutMs = 10_000): Promise<void> {
  await until('the adversary dropped', () => adversary.connections.length > 0 && adversary.connections[0]!.closed, timeoutMs);
  assert.equal(await node.banOf(adversary.port), undefined, 'dropped, not banned');
}

/** Runs `fn` once our node finished the handshake on `conn` (it sends getaddr when ready). */
export function afterHandshake(fn: (conn: WireConnection) => void): NonNullable<ScriptedPeerBehaviour['onMessage']> {
  return (msg: WireMessage, conn: WireConnection) => {
    if (msg.command === 'getaddr') fn(conn);
  };
}
