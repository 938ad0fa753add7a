/**
 * Every size limit of the P2P codec, in one place. Each cites where it comes from. The frame decoder applies
 * `maxPayloadLength` to the declared length as soon as a 24-byte frame header is in, so a peer can never make us
 * buffer more than the largest legitimate payload of the command it names.
 */

/** Core: net.h MAX_PROTOCOL_MESSAGE_LENGTH (4 * 1000 * 1000). No payload may exceed it. */
export const MAX_PROTOCOL_MESSAGE_LENGTH = 4_000_000;

/**
 * Core: consensus/consensus.h MAX_BLOCK_SERIALIZED_SIZE. A `block` payload is exactly one serialized block, and this
 * equals MAX_PROTOCOL_MESSAGE_LENGTH, so blocks need no allowance beyond the protocol cap (Core's V1Transport
 * rejects anything larger for every command, blocks included). `merkleblock` is far smaller: see
 * MAX_MERKLEBLOCK_PAYLOAD.
 */
export const MAX_BLOCK_SERIALIZED_SIZE = 4_000_000;

/** Core: net_processing.cpp MAX_HEADERS_RESULTS: at most 2000 headers per `headers` message. */
export const MAX_HEADERS_RESULTS = 2000;

/** Core: net_processing.cpp MAX_INV_SZ: at most 50,000 entries in `inv`, `getdata`, `notfound`. */
export const MAX_INV_SZ = 50_000;

/** Core: net_processing.cpp MAX_ADDR_TO_SEND: at most 1,000 addresses in `addr` / `addrv2`. */
export const MAX_ADDR_TO_SEND = 1000;

/** Core: net_processing.cpp MAX_LOCATOR_SZ: a `getheaders` locator of more than 101 hashes gets the peer dropped. */
export const MAX_LOCATOR_SZ = 101;

/** Core: net.h MAX_SUBVERSION_LENGTH: the user agent of `version` (bytes). */
export const MAX_SUBVERSION_LENGTH = 256;

/** Core: netaddress.h MAX_ADDRV2_SIZE / BIP155: an `addrv2` address is at most 512 bytes. */
export const MAX_ADDRV2_SIZE = 512;

/**
 * Core 0.19 (net_processing.cpp, before BIP61 was removed) read `reject` as LIMITED_STRING(message, COMMAND_SIZE)
 * and LIMITED_STRING(reason, MAX_REJECT_MESSAGE_LENGTH = 111).
 */
export const MAX_REJECT_MESSAGE_LENGTH = 111;

/** Core: protocol.h MESSAGE_TYPE_SIZE (formerly COMMAND_SIZE): the NUL-padded command field. */
export const COMMAND_SIZE = 12;

/**
 * Core: merkleblock.cpp CPartialMerkleTree::ExtractMatches rejects nTransactions > MAX_BLOCK_WEIGHT /
 * MIN_TRANSACTION_WEIGHT = 4,000,000 / (4 * 60) = 16,666: no block can hold more transactions.
 */
export const MAX_MERKLE_TRANSACTIONS = Math.floor(4_000_000 / 240);

/**
 * Core: consensus.h MIN_SERIALIZABLE_TRANSACTION_WEIGHT / WITNESS_SCALE_FACTOR = 10: no serialized transaction is
 * shorter, so a shorter `tx` payload is certainly truncated.
 */
export const MIN_TRANSACTION_SIZE = 10;

/** 80-byte header + 1-byte tx count + one minimal transaction: the smallest possible `block` payload. */
export const MIN_BLOCK_SIZE = 80 + 1 + MIN_TRANSACTION_SIZE;

/** A header entry of `headers` on the wire: 80 bytes + a CompactSize tx count that must be 0 (1 byte). */
export const HEADERS_ENTRY_SIZE = 81;

/**
 * Post-fork headers of the 2026 BLAKE2b minority fork (Knots "BIP-110", same magic and port) are 164 bytes, flagged
 * by nVersion bit 31 (shared/reference/bitcoin-rules.md §2). We recognise them to report PEER_FOREIGN_CHAIN.
 */
export const FOREIGN_HEADER_SIZE = 164;

/** Serialized length of a CompactSize holding n. */
export function compactSizeLength(n: number): number {
  if (n < 0xfd) return 1;
  if (n <= 0xffff) return 3;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/** Nodes of a merkle tree over n leaves: the sum of the level widths ceil(n / 2^h) down to the root. */
export function merkleTreeNodeCount(leaves: number): number {
  let nodes = 0;
  let width = leaves;
  while (width > 1) {
    nodes += width;
    width = Math.ceil(width / 2);
  }
  return nodes + 1;
}

/**
 * A partial merkle tree uses at most one flag bit per tree node, packed 8 to a byte (Core: CPartialMerkleTree
 * serializes vBits as (bits + 7) / 8 bytes), so more flag bytes than this are never legitimate.
 */
export function maxMerkleFlagBytes(totalTransactions: number): number {
  return Math.ceil(merkleTreeNodeCount(totalTransactions) / 8);
}

const HASH_SIZE = 32;
/** services u64 + 16-byte IPv6 (or IPv4-mapped) address + u16 port: an address without time (`version`). */
const NET_ADDR_SIZE = 8 + 16 + 2;

/** version: fixed fields, the user agent at its maximum, start height and the relay byte. */
export const MAX_VERSION_PAYLOAD =
  4 + 8 + 8 + NET_ADDR_SIZE * 2 + 8 + compactSizeLength(MAX_SUBVERSION_LENGTH) + MAX_SUBVERSION_LENGTH + 4 + 1;

/**
 * headers: sized for the foreign 164-byte format rather than the 81-byte entries we accept, so that a full batch
 * from a BLAKE2b-fork peer still reaches the decoder and is reported as PEER_FOREIGN_CHAIN instead of a generic
 * PEER_OVERSIZED. Both are < 1/10 of the protocol cap.
 */
export const MAX_HEADERS_PAYLOAD =
  compactSizeLength(MAX_HEADERS_RESULTS) + MAX_HEADERS_RESULTS * (FOREIGN_HEADER_SIZE + 1);

export const MAX_GETHEADERS_PAYLOAD = 4 + compactSizeLength(MAX_LOCATOR_SZ) + MAX_LOCATOR_SZ * HASH_SIZE + HASH_SIZE;

export const MAX_INVENTORY_PAYLOAD = compactSizeLength(MAX_INV_SZ) + MAX_INV_SZ * (4 + HASH_SIZE);

export const MAX_ADDR_PAYLOAD = compactSizeLength(MAX_ADDR_TO_SEND) + MAX_ADDR_TO_SEND * (4 + NET_ADDR_SIZE);

/** addrv2 entry at its largest: time, 9-byte CompactSize services, network id, 3-byte length, 512 bytes, port. */
export const MAX_ADDRV2_PAYLOAD =
  compactSizeLength(MAX_ADDR_TO_SEND) +
  MAX_ADDR_TO_SEND * (4 + 9 + 1 + compactSizeLength(MAX_ADDRV2_SIZE) + MAX_ADDRV2_SIZE + 2);

/** merkleblock: header, total, one hash per transaction at most, and the flag bytes of the largest tree. */
export const MAX_MERKLEBLOCK_PAYLOAD =
  80 +
  4 +
  compactSizeLength(MAX_MERKLE_TRANSACTIONS) +
  MAX_MERKLE_TRANSACTIONS * HASH_SIZE +
  compactSizeLength(maxMerkleFlagBytes(MAX_MERKLE_TRANSACTIONS)) +
  maxMerkleFlagBytes(MAX_MERKLE_TRANSACTIONS);

/** reject: message (<= 12), ccode, reason (<= 111), optional 32-byte hash. */
export const MAX_REJECT_PAYLOAD =
  compactSizeLength(COMMAND_SIZE) +
  COMMAND_SIZE +
  1 +
  compactSizeLength(MAX_REJECT_MESSAGE_LENGTH) +
  MAX_REJECT_MESSAGE_LENGTH +
  HASH_SIZE;

/** Largest payload a peer may declare for `command`; unknown commands get the protocol cap (Core ignores them). */
export function maxPayloadLength(command: string): number {
  switch (command) {
    // Empty by definition: verack and getaddr (original protocol), BIP130 sendheaders, BIP339 wtxidrelay,
    // BIP155 sendaddrv2.
    case 'verack':
    case 'getaddr':
    case 'sendheaders':
    case 'wtxidrelay':
    case 'sendaddrv2':
      return 0;
    // BIP31 nonce (u64); BIP133 fee rate (i64).
    case 'ping':
    case 'pong':
    case 'feefilter':
      return 8;
    // BIP152: announce bool + version u64.
    case 'sendcmpct':
      return 9;
    case 'version':
      return MAX_VERSION_PAYLOAD;
    case 'getheaders':
      return MAX_GETHEADERS_PAYLOAD;
    case 'headers':
      return MAX_HEADERS_PAYLOAD;
    case 'inv':
    case 'getdata':
    case 'notfound':
      return MAX_INVENTORY_PAYLOAD;
    case 'addr':
      return MAX_ADDR_PAYLOAD;
    case 'addrv2':
      return MAX_ADDRV2_PAYLOAD;
    case 'merkleblock':
      return MAX_MERKLEBLOCK_PAYLOAD;
    case 'reject':
      return MAX_REJECT_PAYLOAD;
    case 'block':
      return MAX_BLOCK_SERIALIZED_SIZE;
    default:
      return MAX_PROTOCOL_MESSAGE_LENGTH;
  }
}
