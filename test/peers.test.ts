// The network peers on their own, without a machine: the stock echo and
// sink, the generator the clients draw requests from, and the kv and web
// clients' protocols, checked against reference servers written here from
// the protocol descriptions (a Map for kv; for web, the directory parsed out
// of the disk image's bytes).
import { describe, expect, it } from 'vitest';
import { READY, Xorshift32, type ClosedLoopClient } from '../src/devices/client.ts';
import {
  encodeKvResponse,
  KV_ERROR,
  KV_GET,
  KV_KEYS,
  KV_MAX_VALUE,
  KV_MIN_VALUE,
  KV_MISS,
  KV_OK,
  KV_SET,
  KvClient,
} from '../src/devices/kv-client.ts';
import { EchoPeer, SinkPeer } from '../src/devices/peer.ts';
import { BLOCK_SECTOR_SIZE, NIC_MAX_PACKET } from '../src/devices/ports.ts';
import { WEB_FILE_MAX, WEB_FILES, WEB_MISSING, WebClient, webDiskImage } from '../src/devices/web-client.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

interface KvRequest {
  op: number;
  key: number;
  value: Uint8Array;
}

function parseKvRequest(packet: Uint8Array): KvRequest {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const length = view.getUint32(8, true);
  expect(packet.length).toBe(12 + length);
  return { op: view.getUint32(0, true), key: view.getUint32(4, true), value: packet.slice(12) };
}

/** The kv protocol's server side, as docs/machine.md describes it. */
function kvServer() {
  const table = new Map<number, Uint8Array>();
  const tally = { gets: 0, hits: 0, sets: 0 };
  const answer = (packet: Uint8Array): Uint8Array => {
    const { op, key, value } = parseKvRequest(packet);
    if (op === KV_SET) {
      tally.sets++;
      table.set(key, value);
      return encodeKvResponse(KV_OK);
    }
    if (op !== KV_GET) return encodeKvResponse(KV_ERROR);
    tally.gets++;
    const stored = table.get(key);
    if (!stored) return encodeKvResponse(KV_MISS);
    tally.hits++;
    return encodeKvResponse(KV_OK, stored);
  };
  return { answer, tally, table };
}

/** The web protocol's server side, reading only the disk image. */
function webServer(disk: Uint8Array) {
  const view = new DataView(disk.buffer, disk.byteOffset, disk.byteLength);
  const files = new Map<string, Uint8Array>();
  for (let entry = 0; entry < BLOCK_SECTOR_SIZE; entry += 32) {
    const nameBytes = disk.subarray(entry, entry + 24);
    const end = nameBytes.indexOf(0);
    if (end === 0) break;
    const sector = view.getUint32(entry + 24, true);
    const length = view.getUint32(entry + 28, true);
    files.set(text(nameBytes.subarray(0, end)), disk.slice(sector * BLOCK_SECTOR_SIZE, sector * BLOCK_SECTOR_SIZE + length));
  }
  const answer = (packet: Uint8Array): Uint8Array => {
    const match = /^GET \/(.+)\n$/.exec(text(packet));
    if (!match) return bytes('400\n');
    const file = files.get(match[1]);
    if (!file) return bytes('404\n');
    const header = bytes(`200 ${file.length}\n`);
    const response = new Uint8Array(header.length + file.length);
    response.set(header);
    response.set(file, header.length);
    return response;
  };
  return { answer, files };
}

/** `transactions` round trips between a client and a server; the requests it sent. */
function converse(client: ClosedLoopClient, answer: (request: Uint8Array) => Uint8Array, transactions: number): Uint8Array[] {
  const requests = [client.receive(READY, 100)];
  for (let i = 1; i <= transactions; i++) requests.push(client.receive(answer(requests[requests.length - 1]), 100 + i * 10));
  return requests;
}

describe('echo and sink', () => {
  it('echo answers every packet with its bytes and counts it', () => {
    const echo = new EchoPeer();
    const packet = bytes('ping');
    expect(echo.receive(packet, 50)).toEqual(packet);
    echo.receive(bytes('pong!'), 80);
    expect(echo.stats).toEqual({ packets: 2, bytes: 9, firstArrival: 50, lastArrival: 80 });
  });

  it('sink answers nothing and counts what arrives', () => {
    const sink = new SinkPeer();
    expect(sink.receive(new Uint8Array(1024), 7)).toBeNull();
    expect(sink.receive(new Uint8Array(1024), 9)).toBeNull();
    expect(sink.stats).toEqual({ packets: 2, bytes: 2048, firstArrival: 7, lastArrival: 9 });
  });
});

describe('xorshift32', () => {
  it('gives the sequence of Marsaglia\'s shifts 13, 17, 5', () => {
    // From seed 1: 1 ^ 1 << 13 = 8193; ^ 8193 >>> 17 = 8193; ^ 8193 << 5 = 270369.
    expect(new Xorshift32(1).next()).toBe(270369);
    const a = new Xorshift32(42);
    const b = new Xorshift32(42);
    const first = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(first);
    expect(new Set(first).size).toBe(100);
    expect(first.every((x) => Number.isInteger(x) && x > 0 && x <= 0xffffffff)).toBe(true);
  });

  it('refuses the seed 0, from which it would only ever give 0', () => {
    expect(() => new Xorshift32(0)).toThrow(RangeError);
  });
});

describe('the kv client', () => {
  it('answers the ready announcement with its first request, and counts no transaction for it', () => {
    const client = new KvClient();
    const request = parseKvRequest(client.receive(READY, 10));
    expect([KV_GET, KV_SET]).toContain(request.op);
    expect(client.stats).toMatchObject({ transactions: 0, mismatches: 0, firstRequest: 10 });
  });

  it('draws keys from 0..127, three GETs to one SET, values of 16 to 96 lowercase letters', () => {
    const server = kvServer();
    const requests = converse(new KvClient(), server.answer, 4000).map(parseKvRequest);
    expect(requests.every((r) => r.key < KV_KEYS)).toBe(true);
    expect(new Set(requests.map((r) => r.key)).size).toBe(KV_KEYS);
    const sets = requests.filter((r) => r.op === KV_SET);
    expect(sets.length / requests.length).toBeGreaterThan(0.2);
    expect(sets.length / requests.length).toBeLessThan(0.3);
    for (const { value } of sets) {
      expect(value.length).toBeGreaterThanOrEqual(KV_MIN_VALUE);
      expect(value.length).toBeLessThanOrEqual(KV_MAX_VALUE);
      expect(text(value)).toMatch(/^[a-z]+$/);
    }
    expect(requests.filter((r) => r.op === KV_GET).every((r) => r.value.length === 0)).toBe(true);
  });

  it('finds nothing wrong with a server that follows the protocol', () => {
    const client = new KvClient();
    const server = kvServer();
    converse(client, server.answer, 2000);
    expect(client.stats).toMatchObject({ transactions: 2000, mismatches: 0, firstMismatch: null, lastResponse: 100 + 2000 * 10 });
    expect(server.tally.hits).toBeGreaterThan(0);
    expect(server.tally.gets - server.tally.hits).toBeGreaterThan(0);
    expect([...client.model.entries()]).toEqual([...server.table.entries()]);
  });

  it('gives the same requests for the same seed and others for another seed', () => {
    const run = (seed: number) => converse(new KvClient(seed), kvServer().answer, 200).map((r) => Array.from(r).join(','));
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('counts a server that forgets a SET, a wrong status and a wrong announcement', () => {
    const forgetful = kvServer();
    let dropped = false;
    const client = new KvClient();
    converse(
      client,
      (request) => {
        const { op } = parseKvRequest(request);
        if (op === KV_SET && !dropped) {
          dropped = true;
          return encodeKvResponse(KV_OK); // says stored, stores nothing
        }
        return forgetful.answer(request);
      },
      2000,
    );
    expect(client.stats.mismatches).toBeGreaterThan(0);
    expect(client.stats.firstMismatch).toMatch(/^response \d+: GET \d+: expected/);

    const wrong = new KvClient();
    converse(wrong, () => encodeKvResponse(KV_ERROR), 10);
    expect(wrong.stats.mismatches).toBe(10);

    const rude = new KvClient();
    rude.receive(bytes('hello\n'), 0);
    expect(rude.stats.mismatches).toBe(1);
    expect(rude.stats.firstMismatch).toMatch(/not the ready announcement/);
  });
});

describe('the web disk image', () => {
  it('holds a directory in sector 0 and every file at the sector it names', () => {
    const disk = webDiskImage();
    expect(disk.length % BLOCK_SECTOR_SIZE).toBe(0);
    const { files } = webServer(disk);
    expect([...files.keys()]).toEqual(WEB_FILES.map((f) => f.name));
    for (const file of WEB_FILES) expect(files.get(file.name)).toEqual(file.bytes);
    for (const name of WEB_MISSING) expect(files.has(name)).toBe(false);
  });

  it('has files of a few hundred to 1,500 bytes, each of whose responses fits one packet', () => {
    for (const file of WEB_FILES) {
      expect(file.bytes.length).toBeGreaterThanOrEqual(200);
      expect(file.bytes.length).toBeLessThanOrEqual(1500);
      expect(`200 ${file.bytes.length}\n`.length + file.bytes.length).toBeLessThanOrEqual(NIC_MAX_PACKET);
    }
  });

  it('is the same every time', () => {
    expect(webDiskImage()).toEqual(webDiskImage());
  });

  it('refuses a name or a file the server could not handle', () => {
    const file = (name: string, length: number) => ({ name, bytes: new Uint8Array(length) });
    expect(() => webDiskImage([file('a'.repeat(24), 10)])).toThrow(/at most 23 bytes/);
    expect(() => webDiskImage([file('big.bin', WEB_FILE_MAX + 1)])).toThrow(/at most 1536 bytes/);
    expect(() => webDiskImage(Array.from({ length: 17 }, (_, i) => file(`f${i}`, 1)))).toThrow(/at most 16 files/);
  });
});

describe('the web client', () => {
  it('asks for every file and for the missing names, and finds nothing wrong with a correct server', () => {
    const client = new WebClient();
    const requests = converse(client, webServer(webDiskImage()).answer, 1000).map(text);
    expect(requests.every((r) => /^GET \/[^\n]+\n$/.test(r))).toBe(true);
    const names = new Set(requests.map((r) => r.slice(5, -1)));
    expect([...names].sort()).toEqual([...WEB_FILES.map((f) => f.name), ...WEB_MISSING].sort());
    expect(client.stats).toMatchObject({ transactions: 1000, mismatches: 0 });
  });

  it('gives the same requests for the same seed and others for another seed', () => {
    const run = (seed: number) => converse(new WebClient(seed), webServer(webDiskImage()).answer, 100).map(text);
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('counts a damaged file, a missing header and a 404 for a file that exists', () => {
    const server = webServer(webDiskImage());
    const damaged = new WebClient();
    converse(
      damaged,
      (request) => {
        const response = server.answer(request);
        if (response.length > 100) response[100] ^= 1;
        return response;
      },
      200,
    );
    // The same requests (same seed); the last of the 201 is never answered.
    const answered = converse(new WebClient(), server.answer, 200).slice(0, 200);
    const forFiles = answered.filter((r) => !WEB_MISSING.some((m) => text(r) === `GET /${m}\n`));
    expect(damaged.stats.mismatches).toBe(forFiles.length);
    expect(damaged.stats.firstMismatch).toMatch(/^response \d+: GET \/\S+: expected/);

    const headless = new WebClient();
    converse(headless, (request) => server.answer(request).subarray(4), 20);
    expect(headless.stats.mismatches).toBe(20);

    const lost = new WebClient();
    converse(lost, () => bytes('404\n'), 50);
    expect(lost.stats.mismatches).toBeGreaterThan(30);
    expect(lost.stats.mismatches).toBeLessThan(50);
  });
});
