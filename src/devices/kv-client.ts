// The kv client: a memcached-like load generator (memtier with one
// connection) for the kv workload (guests/workloads/kv.s). Binary protocol,
// little-endian dwords:
//   request:  op (KV_GET 1, KV_SET 2), key, value length, the value's bytes
//             (a GET has length 0 and no bytes)
//   response: status (KV_OK 0: hit or stored; KV_MISS 1; KV_ERROR 2: a
//             malformed request or a full table), length, the value's bytes
//             (only a hit carries a value)
// Keys are 0..KV_KEYS-1; three requests in four are GETs; a SET's value is
// KV_MIN_VALUE..KV_MAX_VALUE lowercase letters. The client's model of the
// server is a Map from key to value.

import { ClosedLoopClient, DEFAULT_SEED, describe, sameBytes } from './client.ts';

export const KV_GET = 1;
export const KV_SET = 2;
export const KV_OK = 0;
export const KV_MISS = 1;
export const KV_ERROR = 2;
export const KV_KEYS = 128;
export const KV_MIN_VALUE = 16;
export const KV_MAX_VALUE = 96;
/** One SET in this many requests. */
const SET_ONE_IN = 4;

export interface KvRequest {
  op: typeof KV_GET | typeof KV_SET;
  key: number;
  value: Uint8Array;
}

export function encodeKvRequest({ op, key, value }: KvRequest): Uint8Array {
  const packet = new Uint8Array(12 + value.length);
  const view = new DataView(packet.buffer);
  view.setUint32(0, op, true);
  view.setUint32(4, key, true);
  view.setUint32(8, value.length, true);
  packet.set(value, 12);
  return packet;
}

export function encodeKvResponse(status: number, value: Uint8Array = new Uint8Array(0)): Uint8Array {
  const packet = new Uint8Array(8 + value.length);
  const view = new DataView(packet.buffer);
  view.setUint32(0, status, true);
  view.setUint32(4, value.length, true);
  packet.set(value, 8);
  return packet;
}

export class KvClient extends ClosedLoopClient {
  readonly kind = 'kv';
  /** What the server should hold: the value of every key SET so far. */
  readonly model = new Map<number, Uint8Array>();
  private outstanding: KvRequest | null = null;

  constructor(seed = DEFAULT_SEED) {
    super(seed);
  }

  protected nextRequest(): Uint8Array {
    const key = this.random.below(KV_KEYS);
    let request: KvRequest = { op: KV_GET, key, value: new Uint8Array(0) };
    if (this.random.below(SET_ONE_IN) === 0) {
      const value = new Uint8Array(KV_MIN_VALUE + this.random.below(KV_MAX_VALUE - KV_MIN_VALUE + 1));
      for (let i = 0; i < value.length; i++) value[i] = 0x61 + this.random.below(26);
      request = { op: KV_SET, key, value };
    }
    this.outstanding = request;
    return encodeKvRequest(request);
  }

  protected check(response: Uint8Array): string | null {
    const request = this.outstanding!;
    let expected: Uint8Array;
    if (request.op === KV_SET) {
      // The model takes the value whatever the answer, so that one lost SET
      // is one mismatch, not one per later GET of the key.
      this.model.set(request.key, request.value);
      expected = encodeKvResponse(KV_OK);
    } else {
      const value = this.model.get(request.key);
      expected = value ? encodeKvResponse(KV_OK, value) : encodeKvResponse(KV_MISS);
    }
    if (sameBytes(response, expected)) return null;
    const op = request.op === KV_GET ? 'GET' : 'SET';
    return `${op} ${request.key}: expected ${describe(expected)}, got ${describe(response)}`;
  }
}
