import { invariant } from '../errors/spvError.js';
import type { ByteWriter } from '../util/byteWriter.js';
import type { WireReader } from './wireReader.js';

/** Core: CService in 16-byte form: IPv6, or IPv4 mapped as ::ffff:a.b.c.d. */
export const NET_ADDR_IP_SIZE = 16;

/** A pre-BIP155 network address without its time field (as in `version`). */
export interface NetAddr {
  readonly services: bigint; // u64 service bits
  readonly ip: Uint8Array; // 16 bytes
  readonly port: number; // u16
}

export function readNetAddr(r: WireReader): NetAddr {
  const services = r.u64le();
  const ip = r.bytesCopy(NET_ADDR_IP_SIZE, 'ip address');
  // Core: the port is the one big-endian integer of the protocol (network byte order, as in sockaddr).
  const port = r.u16be();
  return { services, ip, port };
}

export function writeNetAddr(w: ByteWriter, a: NetAddr): void {
  invariant(a.ip.length === NET_ADDR_IP_SIZE, 'ip address must be 16 bytes', { length: a.ip.length });
  invariant(Number.isInteger(a.port) && a.port >= 0 && a.port <= 0xffff, 'port out of range', { port: a.port });
  w.u64le(a.services).bytes(a.ip).u16be(a.port);
}
