/**
 * What a devnet JSON-RPC method returns, and the node's error codes and `desc` texts.
 * Codes: ontio/multi-chain http/base/error/error.go (`ErrMap`) and errors/errcode.go (tx pool); a code missing from
 * ErrMap (45021 ErrVerifySignature) gets `desc: ""`, as the node's `responsePack` does (poly-protocol.md §2).
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const RPC_CODES = {
  SUCCESS: 0,
  INVALID_METHOD: 42001,
  INVALID_PARAMS: 42002,
  INVALID_TRANSACTION: 43001,
  INTERNAL_ERROR: 45001,
  DUPLICATED_TX: 45002,
  VERIFY_SIGNATURE: 45021,
  SMARTCODE_ERROR: 47001,
  PRE_EXEC_ERROR: 47002,
} as const;

/** http/base/error/error.go ErrMap (the part the devnet can answer). */
const DESC: ReadonlyMap<number, string> = new Map([
  [RPC_CODES.SUCCESS, 'SUCCESS'],
  [RPC_CODES.INVALID_METHOD, 'INVALID METHOD'],
  [RPC_CODES.INVALID_PARAMS, 'INVALID PARAMS'],
  [RPC_CODES.INVALID_TRANSACTION, 'INVALID TRANSACTION'],
  [RPC_CODES.INTERNAL_ERROR, 'INTERNAL ERROR'],
  [RPC_CODES.DUPLICATED_TX, 'INTERNAL ERROR, ErrDuplicatedTx'],
  [RPC_CODES.SMARTCODE_ERROR, 'SMARTCODE EXEC ERROR'],
  [RPC_CODES.PRE_EXEC_ERROR, 'SMARTCODE PREPARE EXEC ERROR'],
]);

/** `desc` for a code: ErrMap text, or "" for codes the map lacks. */
export function rpcDesc(code: number): string {
  return DESC.get(code) ?? '';
}

export type RpcOutcome =
  | { readonly ok: true; readonly result: JsonValue }
  | { readonly ok: false; readonly code: number; readonly result: JsonValue };

export function rpcOk(result: JsonValue): RpcOutcome {
  return { ok: true, result };
}

export function rpcFail(code: number, result: JsonValue = ''): RpcOutcome {
  return { ok: false, code, result };
}

/**
 * A devnet_* method refused by the simulated contract or admin: error 47001 with `{reason, message}` in `result`
 * (the node puts detail text in `result` too; the reason token is what tests assert).
 */
export function devnetRefusal(reason: string, message: string): RpcOutcome {
  return rpcFail(RPC_CODES.SMARTCODE_ERROR, { reason, message });
}

/** A devnet_* method called with params of the wrong shape: 42002 with `{reason: 'BAD_PARAMS', message}`. */
export function badParams(message: string): RpcOutcome {
  return rpcFail(RPC_CODES.INVALID_PARAMS, { reason: 'BAD_PARAMS', message });
}

/** Plain data (interfaces, snapshots) as a JsonValue: a JSON round trip, which also detaches it from live state. */
export function toJsonValue(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
