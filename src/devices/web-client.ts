// The web client: a static-web-server load generator (wrk with one
// connection) for the web workload (guests/workloads/web.s), and the disk
// the server reads its files from. Text protocol:
//   request:  "GET /<name>\n"
//   response: "200 <length>\n" and the file's bytes; "404\n" when there is
//             no such file; "400\n" for a request the server cannot parse
// The client asks for the site's files and for a few names that are not
// there, chosen by its generator, and checks each response against the
// site (WEB_FILES), which is also what the disk image holds.
//
// The disk (webDiskImage): sector 0 is the directory, WEB_DIRECTORY_ENTRIES
// entries of WEB_ENTRY_SIZE bytes: the name (NUL-padded, at most
// WEB_NAME_MAX bytes), the file's first sector (dd) and its length in bytes
// (dd); the first entry with an empty name ends it. Each file starts on a
// sector of its own, in directory order.

import { BLOCK_SECTOR_SIZE } from './ports.ts';
import { ClosedLoopClient, DEFAULT_SEED, describe, sameBytes } from './client.ts';

export const WEB_ENTRY_SIZE = 32;
export const WEB_NAME_BYTES = 24;
/** The longest name: the name field keeps a NUL at its end. */
export const WEB_NAME_MAX = WEB_NAME_BYTES - 1;
export const WEB_DIRECTORY_ENTRIES = BLOCK_SECTOR_SIZE / WEB_ENTRY_SIZE;
/** The largest file the server sends (web.s FILE_MAX): with its header, one packet. */
export const WEB_FILE_MAX = 3 * BLOCK_SECTOR_SIZE;

export interface WebFile {
  name: string;
  bytes: Uint8Array;
}

/** A file of `length` bytes of numbered lines that name it, so that a
 * wrong byte in a response is easy to place. */
function textFile(name: string, length: number): WebFile {
  let text = '';
  for (let line = 1; text.length < length; line++) {
    text += `${name} line ${line}: smtnest serves this file from its block device\n`;
  }
  return { name, bytes: new TextEncoder().encode(text.slice(0, length)) };
}

/** The site: a few hundred bytes to about 1,500, so that every response fits one packet. */
export const WEB_FILES: readonly WebFile[] = [
  textFile('index.html', 1432),
  textFile('about.html', 611),
  textFile('news.html', 1490),
  textFile('contact.html', 307),
  textFile('style.css', 884),
  textFile('app.js', 1207),
  textFile('robots.txt', 212),
  textFile('faq.html', 1024),
  textFile('paper.html', 1500),
  textFile('team.html', 733),
];

/** Names the client asks for that the site does not have. */
export const WEB_MISSING = ['old/index.html', 'admin.php'];

/** The disk image: the directory in sector 0, then the files. */
export function webDiskImage(files: readonly WebFile[] = WEB_FILES): Uint8Array {
  if (files.length > WEB_DIRECTORY_ENTRIES) throw new RangeError(`at most ${WEB_DIRECTORY_ENTRIES} files fit the directory`);
  const sectorsOf = (file: WebFile) => Math.ceil(file.bytes.length / BLOCK_SECTOR_SIZE);
  const sectors = 1 + files.reduce((n, file) => n + sectorsOf(file), 0);
  const disk = new Uint8Array(sectors * BLOCK_SECTOR_SIZE);
  const view = new DataView(disk.buffer);
  let sector = 1;
  files.forEach((file, i) => {
    const name = new TextEncoder().encode(file.name);
    if (name.length > WEB_NAME_MAX) throw new RangeError(`${file.name}: names have at most ${WEB_NAME_MAX} bytes`);
    if (file.bytes.length > WEB_FILE_MAX) throw new RangeError(`${file.name}: files have at most ${WEB_FILE_MAX} bytes`);
    const entry = i * WEB_ENTRY_SIZE;
    disk.set(name, entry);
    view.setUint32(entry + WEB_NAME_BYTES, sector, true);
    view.setUint32(entry + WEB_NAME_BYTES + 4, file.bytes.length, true);
    disk.set(file.bytes, sector * BLOCK_SECTOR_SIZE);
    sector += sectorsOf(file);
  });
  return disk;
}

const encode = (text: string) => new TextEncoder().encode(text);

/** What the server should answer a request for `name`. */
export function webResponse(name: string, files: readonly WebFile[] = WEB_FILES): Uint8Array {
  const file = files.find((f) => f.name === name);
  if (!file) return encode('404\n');
  const header = encode(`200 ${file.bytes.length}\n`);
  const response = new Uint8Array(header.length + file.bytes.length);
  response.set(header);
  response.set(file.bytes, header.length);
  return response;
}

export class WebClient extends ClosedLoopClient {
  readonly kind = 'web';
  private readonly names = [...WEB_FILES.map((f) => f.name), ...WEB_MISSING];
  private outstanding = '';

  constructor(seed = DEFAULT_SEED) {
    super(seed);
  }

  protected nextRequest(): Uint8Array {
    this.outstanding = this.names[this.random.below(this.names.length)];
    return encode(`GET /${this.outstanding}\n`);
  }

  protected check(response: Uint8Array): string | null {
    const expected = webResponse(this.outstanding);
    if (sameBytes(response, expected)) return null;
    return `GET /${this.outstanding}: expected ${describe(expected)}, got ${describe(response)}`;
  }
}
