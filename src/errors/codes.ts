/**
 * Every failure spvclient reports has one of these codes. Tests assert codes, never message text.
 * Peer-caused codes (PEER_*, HEADER_*) carry a ban score in the net layer; local faults never do.
 */
export const ERROR_CODES = [
  // header consensus rules (src/chain)
  'HEADER_BAD_LENGTH',
  'HEADER_BAD_TARGET',
  'HEADER_BAD_POW',
  'HEADER_BAD_PREV',
  'HEADER_BAD_DIFFBITS',
  'HEADER_TIME_TOO_OLD',
  'HEADER_TIME_TOO_NEW',
  'HEADER_TIMEWARP',
  'HEADER_BAD_VERSION',
  'HEADER_CHECKPOINT_MISMATCH',
  'HEADER_FORK_TOO_OLD',
  'HEADER_UNCONNECTED',
  // wire codec (src/wire): what a peer sent
  'PEER_BAD_MAGIC',
  'PEER_BAD_CHECKSUM',
  'PEER_BAD_COMMAND',
  'PEER_OVERSIZED',
  'PEER_TRUNCATED',
  'PEER_TOO_MANY_ITEMS',
  'PEER_MALFORMED',
  'PEER_FOREIGN_CHAIN', // headers from another chain on the same magic (2026 BLAKE2b fork, 164-byte headers)
  // peers and sync (src/net)
  'PEER_CONNECT_FAILED',
  'PEER_HANDSHAKE_TIMEOUT',
  'PEER_PROTOCOL',
  'PEER_OBSOLETE',
  'PEER_NO_SERVICES',
  'PEER_SELF_CONNECTION',
  'PEER_STALLED',
  'PEER_UNCONNECTING_FLOOD',
  // adversarial-peer hardening (issue 6)
  'PEER_HEADERS_FLOOD', // unasked headers messages that bring nothing new (duplicates, empty), many per minute
  'PEER_BANNED',
  'PEER_CLOSED',
  'NET_NO_PEERS',
  'BROADCAST_NO_PEERS',
  'TX_INVALID',
  // alliance chain (src/alliance)
  'POLY_ADDRESS_INVALID', // base58 text, checksum, version byte or length
  'POLY_KEY_INVALID', // public/private key bytes or curve not usable
  'POLY_SIGNATURE_INVALID', // signature bytes malformed (not: a well-formed signature that does not verify)
  'POLY_PARAM_MALFORMED', // Vote/MultiSign/invoke/tx bytes: truncated, trailing or bad field
  'WALLET_MALFORMED', // wallet.dat JSON shape
  'WALLET_NO_ACCOUNT',
  'WALLET_MULTIPLE_DEFAULTS',
  'WALLET_UNSUPPORTED', // enc-alg / curve / algorithm we do not handle
  'WALLET_BAD_PASSWORD', // GCM tag failure (or CTR key that does not match publicKey)
  'WALLET_KEY_MISMATCH', // decrypted key does not derive the stored publicKey
  'BTCPROOF_MALFORMED', // truncated field or bad length prefix
  'BTCPROOF_TRAILING_BYTES',
  'OPRETURN_NOT_FOUND', // script is not OP_RETURN + exactly one push
  'OPRETURN_BAD_FLAG',
  'OPRETURN_ARGS_MALFORMED',
  'POLY_RPC_BAD_REQUEST', // our own call arguments are invalid (bad hex, height out of range); never sent
  'POLY_RPC_UNREACHABLE', // connection refused/reset/DNS: transport failure before a reply (retried)
  'POLY_RPC_TIMEOUT', // no complete reply within timeoutMs (retried)
  'POLY_RPC_HTTP', // non-2xx status (5xx retried, 4xx not)
  'POLY_RPC_BAD_JSON', // reply body is not a JSON object
  'POLY_RPC_BAD_ID', // reply id does not echo the request id
  'POLY_RPC_BAD_RESULT', // error field or result of the wrong type/shape
  'POLY_RPC_ERROR', // node replied error != 0 (details.rpcCode, details.detail)
  'POLY_EVENT_MALFORMED', // getsmartcodeevent entry / notify of the wrong shape
  // deposit verification (src/alliance/deposit)
  'DEPOSIT_TX_MALFORMED', // the deposit tx does not decode (or has trailing bytes)
  'DEPOSIT_TXID_MISMATCH', // the notify's txid is not the tx's txid / not the one the proof proves
  'DEPOSIT_TOO_FEW_CONFIRMATIONS', // not a rejection: the deposit waits for more blocks
  'DEPOSIT_TOO_FEW_OUTPUTS',
  'DEPOSIT_WRONG_SCRIPT', // output 0 does not pay the configured redeem script (bare, P2SH or P2WSH)
  'DEPOSIT_ZERO_VALUE',
  'DEPOSIT_BAD_FEE', // Args fee negative, or above the deposited value
  'DEPOSIT_BLOCK_REORGED', // the deposit's block left the best chain after the vote (alert)
  // withdrawal signing policy (src/alliance/signer)
  'SIGNER_TX_MALFORMED', // the unsigned tx does not decode, has no inputs/outputs, or carries witness/scriptSig data
  'SIGNER_REDEEM_MISMATCH', // the event's redeem script is not the configured one
  'SIGNER_UNKNOWN_INPUT', // an input spends an outpoint not known to belong to the multisig
  'SIGNER_INPUT_CONFLICT', // an input is already committed to a different withdrawal we signed
  'SIGNER_TOO_MANY_OUTPUTS',
  'SIGNER_OUTPUT_INVALID', // dust, zero, above the per-output limit, or an unparseable script
  'SIGNER_FEE_INVALID', // outputs exceed inputs, or the fee rate is above the limit
  'SIGNER_KEY_NOT_IN_REDEEM', // our BTC key is not one of the redeem script's keys
  'BTC_KEY_INVALID', // key file content: not a WIF (checksum, version, length) nor 64 hex chars; out of range
  'BTC_KEY_FILE_INSECURE', // key file readable by group or world
  'BTC_KEY_WRONG_NETWORK', // WIF version byte of another network
  // alliance worker (src/alliance)
  'ALLIANCE_DISABLED', // the alliance part is not configured
  'ALLIANCE_STORE_CORRUPT',
  'ALLIANCE_NOT_FOUND', // no deposit / withdrawal with that id
  'ALLIANCE_TX_FAILED', // our Vote / MultiSign executed with State 0 on the alliance chain
  'ALLIANCE_TX_REFUSED', // the node refused our Vote / MultiSign (an error other than a duplicate)
  // library API (src/client)
  'CLIENT_NOT_STARTED',
  'CLIENT_CLOSED',
  'KEY_INVALID',
  'PROOF_BLOCK_UNKNOWN',
  'PROOF_NOT_ON_BEST_CHAIN',
  // REST (src/api)
  'REST_LISTEN_FAILED',
  // merkle proofs (src/merkle)
  'MERKLE_MALFORMED', // serialization: non-canonical CompactSize, wrong field size
  'MERKLE_TRUNCATED', // serialization: a field or length prefix runs past the end
  'MERKLE_TRAILING_BYTES', // serialization: bytes after the flag bytes
  'MERKLE_TX_COUNT_ZERO',
  'MERKLE_TX_COUNT_TOO_LARGE',
  'MERKLE_TOO_MANY_HASHES',
  'MERKLE_TOO_FEW_FLAG_BITS',
  'MERKLE_BAD_TREE',
  'MERKLE_DUPLICATE_CHILDREN', // CVE-2012-2459
  'MERKLE_HASHES_NOT_CONSUMED',
  'MERKLE_FLAGS_NOT_CONSUMED',
  'MERKLE_ROOT_MISMATCH',
  'MERKLE_INNER_NODE_IS_TX', // CVE-2017-12842 (inner node side)
  'MERKLE_DEPTH_MISMATCH',
  'MERKLE_DUPLICATE_MATCH',
  'MERKLE_NO_MATCH',
  'MERKLE_TX_64_BYTES', // CVE-2017-12842 (leaf side)
  'MERKLE_TX_NOT_IN_PROOF',
  // header store (src/store)
  'STORE_OPEN_FAILED',
  'STORE_LOCKED',
  'STORE_CORRUPT',
  'STORE_WRONG_NETWORK',
  'STORE_NOT_FOUND',
  'STORE_CLOSED',
  'STORE_WRITE_FAILED',
  'ANCHOR_INVALID',
  'ANCHOR_STORE_NOT_EMPTY',
  // configuration and command line
  'CONFIG_NOT_FOUND',
  'CONFIG_PARSE',
  'CONFIG_INVALID',
  'CLI_BAD_ARGS',
  'IMPORT_FILE_INVALID',
  // threads
  'WORKER_CRASHED',
  'WORKER_UNAVAILABLE',
  'SHUTTING_DOWN',
  // a bug: crash the worker and let the supervisor restart it
  'INVARIANT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const known: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && known.has(value);
}
