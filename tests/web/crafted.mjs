// Crafted files for the bad-input browser test: minimal PNG, ZIP and IDX
// writers (valid structure, lying contents) so each case claims exactly one
// impossible thing.
import zlib from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A gray PNG of width x height; `claim` overrides the header's size (the pixels stay small). */
export function png(width, height, fill = 128, claim = null) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.fill(fill, y * (width + 1) + 1, (y + 1) * (width + 1));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(claim ? claim[0] : width, 0);
  header.writeUInt32BE(claim ? claim[1] : height, 4);
  header[8] = 8;  // bit depth
  header[9] = 0;  // gray
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A stored (uncompressed) ZIP of [{name, bytes}]; `lie` may change an entry's recorded size. */
export function zip(entries, lie = {}) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8'), data = Buffer.from(e.bytes);
    const crc = crc32(data), size = lie[e.name] ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(size, 18); local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(size, 20); central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** IDX images (ubyte, [count, rows, cols]) with `count` claimed and `present` images of bytes. */
export function idxImages(count, rows, cols, present = count) {
  const out = Buffer.alloc(16 + present * rows * cols, 90);
  out.writeUInt32BE(0x803, 0); out.writeUInt32BE(count, 4); out.writeUInt32BE(rows, 8); out.writeUInt32BE(cols, 12);
  return out;
}

export function idxLabels(count, classes = 10, present = count) {
  const out = Buffer.alloc(8 + present);
  out.writeUInt32BE(0x801, 0); out.writeUInt32BE(count, 4);
  for (let i = 0; i < present; i++) out[8 + i] = i % classes;
  return out;
}

/** A folder upload: [{path: "class/i.png", bytes}] with `perClass` images of each class. */
export function folder(classes, perClass, size = 28) {
  const files = [];
  classes.forEach((name, k) => {
    for (let i = 0; i < perClass; i++) files.push({ path: `${name}/${i}.png`, bytes: png(size, size, 20 + 40 * k + i) });
  });
  return files;
}
