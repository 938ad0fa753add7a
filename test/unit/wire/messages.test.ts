import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseHeader } from '../../../src/chain/header.js';
import { sha256d } from '../../../src/chain/hash.js';
import { concatBytes, hashToHex, toHex } from '../../../src/util/bytes.js';
import type { MessageOf, WireCommand } from '../../../src/wire/index.js';
import {
  BIP155_IPV6,
  decodeFrame,
  decodeMessage,
  EMPTY_COMMANDS,
  encodeMessage,
  encodePayload,
  MSG_BLOCK,
  MSG_CMPCT_BLOCK,
  MSG_FILTERED_BLOCK,
  MSG_TX,
  MSG_WITNESS_BLOCK,
  MSG_WITNESS_TX,
  MSG_WTX,
} from '../../../src/wire/index.js';
import {
  CAPTURED_ADDR_FRAME,
  CAPTURED_GETDATA_FRAME,
  CAPTURED_GETHEADERS_FRAME,
  CAPTURED_HEADERS_FRAME,
  CAPTURED_INV_FRAME,
  CAPTURED_PING_FRAME,
  CAPTURED_REJECT_FRAME,
  CAPTURED_VERSION_FRAME,
  CORE_ADDRV2_PAYLOAD,
  CORE_MERKLEBLOCK_PAYLOAD,
  GENESIS_COINBASE_TX,
  GENESIS_COINBASE_TXID_HEX,
  GENESIS_HASH_HEX,
  GENESIS_HEADER,
  hex,
  MAINNET_MAGIC,
  VERACK_FRAME,
  WIKI_VERSION_FRAME,
} from './vectors.js';
import { fixturePath } from './wireTestUtil.js';

/** Decodes a full frame, narrows to the expected command, and checks it re-encodes to the same bytes. */
function roundTrip<C extends WireCommand>(frameBytes: Uint8Array, command: C): MessageOf<C> {
  const msg = decodeMessage(decodeFrame(MAINNET_MAGIC, frameBytes));
  assert.equal(msg.command, command);
  assert.equal(toHex(encodeMessage(MAINNET_MAGIC, msg)), toHex(frameBytes), `${command} re-encodes byte for byte`);
  return msg as MessageOf<C>;
}

function payloadRoundTrip<C extends WireCommand>(command: C, payload: Uint8Array): MessageOf<C> {
  return roundTrip(encodeFrameFor(command, payload), command);
}

function encodeFrameFor(command: string, payload: Uint8Array): Uint8Array {
  return encodeMessage(MAINNET_MAGIC, { command: 'unknown', name: command, payload });
}

/** Block 300025 (bcoin test/data, shared/fixtures/README.md §2). */
const BLOCK_300025_HASH_HEX = '0000000000000000821c4e0acc40f88bedbce3b73ba2358b5ade58a9022cc78c';
const IPV4_MAPPED_ZERO = '00000000000000000000ffff00000000';

describe('messages: real vectors round-trip', () => {
  it('version: Bitcoin wiki example (60002, no relay byte)', () => {
    const v = roundTrip(WIKI_VERSION_FRAME, 'version');
    assert.equal(v.version, 60002);
    assert.equal(v.services, 1n);
    assert.equal(v.time, 1355854353n); // Tue Dec 18 10:12:33 PST 2012
    assert.equal(toHex(v.addrRecv.ip), IPV4_MAPPED_ZERO);
    assert.equal(v.addrRecv.services, 1n);
    assert.equal(v.addrFrom.port, 0);
    assert.equal(v.nonce, 0x6517e68c5db32e3bn);
    assert.equal(v.userAgent, '/Satoshi:0.7.2/');
    assert.equal(v.startHeight, 212672);
    assert.equal(v.relay, undefined);
    assert.equal('relay' in v, false);
  });

  it('version: captured from a Core 0.11.2 mainnet peer (70002, relay byte)', () => {
    const v = roundTrip(CAPTURED_VERSION_FRAME, 'version');
    assert.equal(v.version, 70002);
    assert.equal(v.time, 1454059080n);
    assert.equal(v.addrFrom.port, 8333);
    assert.equal(toHex(v.addrFrom.ip), IPV4_MAPPED_ZERO);
    assert.equal(v.nonce, 5306546289391447548n);
    assert.equal(v.userAgent, '/Satoshi:0.11.2/');
    assert.equal(v.startHeight, 395585);
    assert.equal(v.relay, true);
  });

  it('verack and the other empty messages', () => {
    roundTrip(VERACK_FRAME, 'verack');
    for (const command of EMPTY_COMMANDS) {
      const frame = encodeMessage(MAINNET_MAGIC, { command });
      assert.equal(toHex(frame.subarray(20)), '5df6e0e2', command);
      assert.equal(decodeMessage(decodeFrame(MAINNET_MAGIC, frame)).command, command);
    }
  });

  it('ping (captured) and pong', () => {
    const ping = roundTrip(CAPTURED_PING_FRAME, 'ping');
    assert.equal(ping.nonce, 0x4abf336ca407ddcen);
    const pong = encodeMessage(MAINNET_MAGIC, { command: 'pong', nonce: ping.nonce });
    assert.equal(toHex(pong.subarray(24)), 'cedd07a46c33bf4a');
    assert.equal(roundTrip(pong, 'pong').nonce, ping.nonce);
  });

  it('headers: captured mainnet announcement of one header', () => {
    const h = roundTrip(CAPTURED_HEADERS_FRAME, 'headers');
    assert.equal(h.count, 1);
    assert.equal(h.headers.length, 80);
    const parsed = parseHeader(h.headers);
    assert.equal(parsed.version, 4);
    assert.equal(hashToHex(parsed.prevHash), '000000000000000006004783a6ad104f7c522a9db14859d4c2384bcc3f175463');
    assert.equal(hashToHex(parsed.merkleRoot), 'dbc8bd5112be871061e444c4179c38f6a3cc60b555ab386bde7862f892dc1e66');
    assert.equal(parsed.time, 1454058586);
    assert.equal(parsed.bits, 403253488);
    assert.equal(parsed.nonce, 3500476912);
  });

  it('headers: the genesis header', () => {
    assert.equal(hashToHex(sha256d(GENESIS_HEADER)), GENESIS_HASH_HEX);
    const h = payloadRoundTrip('headers', concatBytes(hex('01'), GENESIS_HEADER, hex('00')));
    assert.equal(hashToHex(sha256d(h.headers)), GENESIS_HASH_HEX);
    const empty = payloadRoundTrip('headers', hex('00'));
    assert.equal(empty.count, 0);
    assert.equal(empty.headers.length, 0);
  });

  it('getheaders: captured 30-hash locator down to genesis', () => {
    const g = roundTrip(CAPTURED_GETHEADERS_FRAME, 'getheaders');
    assert.equal(g.version, 70002);
    assert.equal(g.locator.length, 30);
    assert.equal(hashToHex(g.locator[0]!), '000000000000000006004783a6ad104f7c522a9db14859d4c2384bcc3f175463');
    assert.equal(hashToHex(g.locator[28]!), '0000000000000b1c1eb3cd85795a5b81d6e161f7b1d7f35bc8ae21dbce063f1d');
    assert.equal(hashToHex(g.locator[29]!), GENESIS_HASH_HEX);
    assert.equal(toHex(g.stopHash), '00'.repeat(32));
  });

  it('inv: captured announcement of 4 transactions', () => {
    const inv = roundTrip(CAPTURED_INV_FRAME, 'inv');
    assert.deepEqual(
      inv.items.map((i) => [i.type, hashToHex(i.hash)]),
      [
        [MSG_TX, 'b2e4bdfeffb04a8df3ddf0abe9ba45150663bb41a4bd6f9d4767a0119e0141f9'],
        [MSG_TX, '80fe53bd8f81cd296b4ff3bd48e46b221538eba8065de1c660ad7afc98720177'],
        [MSG_TX, 'f75845650176135011a4fca6d41fe6e342f273b032124f37e9bf65aa06cd985d'],
        [MSG_TX, '7c6315ab536b5d0a4e2304bd8d6c01eb0ee25ef4ca28f8cf4e623c91e5b6cc47'],
      ],
    );
  });

  it('getdata (captured) and notfound with the same body', () => {
    const gd = roundTrip(CAPTURED_GETDATA_FRAME, 'getdata');
    assert.equal(gd.items.length, 3);
    assert.ok(gd.items.every((i) => i.type === MSG_TX));
    const nf = payloadRoundTrip('notfound', CAPTURED_GETDATA_FRAME.subarray(24));
    assert.deepEqual(nf.items, gd.items);
  });

  it('inventory type constants match Core protocol.h', () => {
    assert.deepEqual(
      [MSG_TX, MSG_BLOCK, MSG_FILTERED_BLOCK, MSG_CMPCT_BLOCK, MSG_WTX, MSG_WITNESS_TX, MSG_WITNESS_BLOCK],
      [1, 2, 3, 4, 5, 0x40000001, 0x40000002],
    );
    const items = [MSG_WITNESS_BLOCK, MSG_FILTERED_BLOCK, 0xffffffff].map((type, i) => ({
      type,
      hash: new Uint8Array(32).fill(i + 1),
    }));
    const payload = encodePayload({ command: 'getdata', items });
    assert.deepEqual(payloadRoundTrip('getdata', payload).items, items);
  });

  it('addr: captured two IPv4-mapped entries, port big-endian 8333', () => {
    const a = roundTrip(CAPTURED_ADDR_FRAME, 'addr');
    assert.deepEqual(
      a.addresses.map((e) => [e.time, e.services, toHex(e.ip), e.port]),
      [
        [1454060630, 1n, '00000000000000000000ffff3dae7ef8', 8333],
        [1454061141, 1n, '00000000000000000000ffff2d21553a', 8333],
      ],
    );
  });

  it('addrv2: Core netbase_tests stream_addrv2_hex', () => {
    const a = payloadRoundTrip('addrv2', CORE_ADDRV2_PAYLOAD);
    assert.deepEqual(
      a.addresses.map((e) => [e.time, e.services, e.networkId, toHex(e.addr), e.port]),
      [
        [0x4966bc61, 0n, BIP155_IPV6, '00000000000000000000000000000001', 0],
        [0x83766279, 1n, BIP155_IPV6, '00000000000000000000000000000001', 0x00f1],
        // NODE_WITNESS | NODE_COMPACT_FILTERS | NODE_NETWORK_LIMITED
        [0xffffffff, (1n << 3n) | (1n << 6n) | (1n << 10n), BIP155_IPV6, '00000000000000000000000000000001', 0xf1f2],
      ],
    );
  });

  it('addrv2: every BIP155 network, u64 services, unknown networks skipped', () => {
    const entries = [
      [1, 4],
      [2, 16],
      [3, 10],
      [4, 32],
      [5, 32],
      [6, 16],
    ].map(([networkId, len]) => ({
      time: 1_700_000_000,
      services: networkId === 4 ? 1n << 63n : 0x409n,
      networkId: networkId!,
      addr: new Uint8Array(len!).fill(networkId!),
      port: 8333,
    }));
    const payload = encodePayload({ command: 'addrv2', addresses: entries });
    assert.deepEqual(payloadRoundTrip('addrv2', payload).addresses, entries);
    // An unknown network id (42) with a 7-byte address between two known ones is dropped, not an error.
    const withUnknown = hex(
      '03',
      '00000000', '01', '01', '04', '01020304', '208d',
      '00000000', '01', '2a', '07', '00112233445566', '208d',
      '00000000', '01', '04', '20', 'ab'.repeat(32), '0050',
    );
    const msg = decodeMessage({ command: 'addrv2', payload: withUnknown });
    assert.equal(msg.command, 'addrv2');
    if (msg.command !== 'addrv2') return;
    assert.deepEqual(
      msg.addresses.map((e) => [e.networkId, toHex(e.addr), e.port]),
      [
        [1, '01020304', 8333],
        [4, 'ab'.repeat(32), 80],
      ],
    );
  });

  it('merkleblock: Core bloom_tests merkle_block_3 serialization', () => {
    const m = payloadRoundTrip('merkleblock', CORE_MERKLEBLOCK_PAYLOAD);
    assert.equal(hashToHex(sha256d(m.header)), '000000000000dab0130bbcc991d3d7ae6b81aa6f50a798888dfe62337458dc45');
    assert.equal(m.totalTransactions, 1);
    assert.equal(m.hashes.length, 1);
    assert.equal(hashToHex(m.hashes[0]!), '63194f18be0af63f2c6bc9dc0f777cbefed3d9415c4af83f3ee3a3d669c00cb5');
    assert.equal(toHex(m.flags), '01');
  });

  it('merkleblock: real mainnet proofs from the shared fixtures (bcoin merkle300025, Core gettxoutproof)', (t) => {
    const dir = fixturePath('mainnet/merkle');
    if ('skip' in dir) return t.skip(dir.skip);
    const files = readdirSync(dir.path).filter((f) => f.endsWith('.bin'));
    assert.ok(files.length >= 10);
    for (const file of files) {
      const payload: Uint8Array = new Uint8Array(readFileSync(join(dir.path, file)));
      const m: MessageOf<'merkleblock'> = payloadRoundTrip('merkleblock', payload);
      assert.ok(m.hashes.length >= 1 && m.hashes.length <= m.totalTransactions, file);
      assert.ok(m.flags.length >= 1, file);
      if (file === 'merkleblock-300025.bin') {
        assert.equal(m.totalTransactions, 461);
        assert.equal(m.hashes.length, 10);
        assert.equal(hashToHex(sha256d(m.header)), BLOCK_300025_HASH_HEX);
      }
    }
  });

  it('reject: captured "mempool min fee not met" with the tx hash', () => {
    const r = roundTrip(CAPTURED_REJECT_FRAME, 'reject');
    assert.equal(r.message, 'tx');
    assert.equal(r.ccode, 0x42); // REJECT_INSUFFICIENTFEE
    assert.equal(r.reason, 'mempool min fee not met');
    assert.equal(toHex(r.hash!), '6e532ae33433cae18190ea2fe3e19a9a2181698f2daae215888567bfe4e0029a');
    const noHash = payloadRoundTrip('reject', hex('07', toHex(new TextEncoder().encode('version')), '11', '00'));
    assert.equal(noHash.hash, undefined);
    assert.equal(noHash.ccode, 0x11);
  });

  it('sendcmpct (BIP152), feefilter (BIP133)', () => {
    // Core sends sendcmpct(false, 2) after the handshake.
    const s = payloadRoundTrip('sendcmpct', hex('000200000000000000'));
    assert.equal(s.announce, false);
    assert.equal(s.version, 2n);
    assert.equal(payloadRoundTrip('sendcmpct', hex('010100000000000000')).announce, true);
    const f = payloadRoundTrip('feefilter', hex('e803000000000000'));
    assert.equal(f.feeRateSatPerKvb, 1000n);
  });

  it('tx and block stay opaque: the genesis coinbase and the genesis block', () => {
    assert.equal(hashToHex(sha256d(GENESIS_COINBASE_TX)), GENESIS_COINBASE_TXID_HEX);
    const tx = payloadRoundTrip('tx', GENESIS_COINBASE_TX);
    assert.equal(toHex(tx.raw), toHex(GENESIS_COINBASE_TX));
    const block = payloadRoundTrip('block', concatBytes(GENESIS_HEADER, hex('01'), GENESIS_COINBASE_TX));
    assert.equal(block.raw.length, 285);
    assert.equal(hashToHex(sha256d(block.raw.subarray(0, 80))), GENESIS_HASH_HEX);
  });

  it('unknown commands decode as data, not errors', () => {
    const payload = hex('0102030405');
    const msg = decodeMessage({ command: 'cmpctblock', payload });
    assert.deepEqual(msg, { command: 'unknown', name: 'cmpctblock', payload });
    const frame = encodeMessage(MAINNET_MAGIC, msg);
    assert.equal(decodeFrame(MAINNET_MAGIC, frame).command, 'cmpctblock');
  });
});
