import { invariant } from '../errors/spvError.js';
import { ByteWriter } from '../util/byteWriter.js';
import { MAX_ADDR_TO_SEND, MAX_ADDRV2_SIZE } from './limits.js';
import type { NetAddr } from './netAddr.js';
import { readNetAddr, writeNetAddr } from './netAddr.js';
import { WireReader } from './wireReader.js';

/** A pre-BIP155 `addr` entry: last-seen time + 16-byte address. */
export interface AddrEntry extends NetAddr {
  readonly time: number; // u32 unix seconds
}

export interface AddrMessage {
  readonly command: 'addr';
  readonly addresses: readonly AddrEntry[];
}

// BIP155 network ids.
export const BIP155_IPV4 = 1;
export const BIP155_IPV6 = 2;
export const BIP155_TORV2 = 3;
export const BIP155_TORV3 = 4;
export const BIP155_I2P = 5;
export const BIP155_CJDNS = 6;

/**
 * BIP155: "Clients MUST reject messages that contain addresses that have a different length than specified in
 * this table for a specific network ID". TorV2 is kept although Core 22+ dropped it: BIP155 still fixes its length.
 */
export const BIP155_ADDRESS_LENGTHS: ReadonlyMap<number, number> = new Map([
  [BIP155_IPV4, 4],
  [BIP155_IPV6, 16],
  [BIP155_TORV2, 10],
  [BIP155_TORV3, 32],
  [BIP155_I2P, 32],
  [BIP155_CJDNS, 16],
]);

/** A BIP155 `addrv2` entry. */
export interface AddrV2Entry {
  readonly time: number; // u32 unix seconds
  readonly services: bigint; // CompactSize-encoded u64 service bits
  readonly networkId: number; // u8, BIP155_*
  readonly addr: Uint8Array; // length fixed by networkId
  readonly port: number; // u16, big-endian on the wire
}

export interface AddrV2Message {
  readonly command: 'addrv2';
  /** Entries of known networks only: unknown network ids are skipped (BIP155 "SHOULD ignore"; Core drops them). */
  readonly addresses: readonly AddrV2Entry[];
}

const ADDR_ENTRY_SIZE = 4 + 8 + 16 + 2;
/** time + 1-byte services + network id + 1-byte length + empty address + port. */
const MIN_ADDRV2_ENTRY_SIZE = 4 + 1 + 1 + 1 + 0 + 2;

export function decodeAddrPayload(payload: Uint8Array): AddrMessage {
  const r = new WireReader(payload);
  // Core: net_processing.cpp MAX_ADDR_TO_SEND (Misbehaving above it).
  const n = r.count(MAX_ADDR_TO_SEND, ADDR_ENTRY_SIZE, 'addresses');
  const addresses: AddrEntry[] = [];
  for (let i = 0; i < n; i++) {
    const time = r.u32le();
    addresses.push({ time, ...readNetAddr(r) });
  }
  r.end();
  return { command: 'addr', addresses };
}

export function encodeAddrPayload(msg: AddrMessage): Uint8Array {
  invariant(msg.addresses.length <= MAX_ADDR_TO_SEND, 'too many addresses', { count: msg.addresses.length });
  const w = new ByteWriter(3 + msg.addresses.length * ADDR_ENTRY_SIZE);
  w.varint(msg.addresses.length);
  for (const a of msg.addresses) {
    w.u32le(a.time);
    writeNetAddr(w, a);
  }
  return w.finish();
}

export function decodeAddrV2Payload(payload: Uint8Array): AddrV2Message {
  const r = new WireReader(payload);
  const n = r.count(MAX_ADDR_TO_SEND, MIN_ADDRV2_ENTRY_SIZE, 'addresses');
  const addresses: AddrV2Entry[] = [];
  for (let i = 0; i < n; i++) {
    const time = r.u32le();
    const services = r.compactSize64();
    const networkId = r.u8();
    // Core: netaddress.h MAX_ADDRV2_SIZE, checked before reading the address.
    const addr = r.varBytes(MAX_ADDRV2_SIZE, 'addrv2 address');
    const port = r.u16be();
    const expected = BIP155_ADDRESS_LENGTHS.get(networkId);
    if (expected === undefined) continue; // unknown network (maybe from the future): skip, not an error
    if (addr.length !== expected) {
      r.fail('addrv2 address length does not match its network', { networkId, length: addr.length, expected });
    }
    addresses.push({ time, services, networkId, addr, port });
  }
  r.end();
  return { command: 'addrv2', addresses };
}

function writeCompactSize64(w: ByteWriter, v: bigint): void {
  invariant(v >= 0n && v <= 0xffffffffffffffffn, 'services out of u64 range');
  if (v <= 0xffffffffn) w.varint(Number(v));
  else w.u8(0xff).u64le(v);
}

export function encodeAddrV2Payload(msg: AddrV2Message): Uint8Array {
  invariant(msg.addresses.length <= MAX_ADDR_TO_SEND, 'too many addresses', { count: msg.addresses.length });
  const w = new ByteWriter(3 + msg.addresses.length * 64);
  w.varint(msg.addresses.length);
  for (const a of msg.addresses) {
    const expected = BIP155_ADDRESS_LENGTHS.get(a.networkId);
    invariant(expected === undefined || a.addr.length === expected, 'addrv2 address length mismatch', {
      networkId: a.networkId,
    });
    invariant(a.addr.length <= MAX_ADDRV2_SIZE, 'addrv2 address too long');
    invariant(Number.isInteger(a.networkId) && a.networkId >= 0 && a.networkId <= 0xff, 'network id out of range');
    invariant(Number.isInteger(a.port) && a.port >= 0 && a.port <= 0xffff, 'port out of range', { port: a.port });
    w.u32le(a.time);
    writeCompactSize64(w, a.services);
    w.u8(a.networkId).varBytes(a.addr).u16be(a.port);
  }
  return w.finish();
}
