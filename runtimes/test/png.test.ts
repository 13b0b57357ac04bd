/** The screenshot reader: a decoder that got filters wrong would pass or fail the browser check at random. */
import { crc32, deflateSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { decodePng, pixelStats } from "../lib/png.ts";

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encodes pixels (channels bytes each) with filter type `y % 5` on row y, so every filter is used. */
function encodePng(width: number, height: number, channels: 3 | 4, pixels: Uint8Array, depth = 8): Buffer {
  const stride = width * channels;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    const row = Buffer.alloc(stride + 1);
    row[0] = filter;
    for (let i = 0; i < stride; i++) {
      const x = pixels[y * stride + i] ?? 0;
      const a = i >= channels ? (pixels[y * stride + i - channels] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + i] ?? 0) : 0;
      const c = y > 0 && i >= channels ? (pixels[(y - 1) * stride + i - channels] ?? 0) : 0;
      const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter] ?? 0;
      row[i + 1] = (x - predicted) & 0xff;
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = channels === 4 ? 6 : 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function noise(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe("decodePng", () => {
  test.each([3, 4] as const)("decodes every filter type exactly (%i channels)", (channels) => {
    const [width, height] = [13, 11];
    const source = noise(width * height * channels);
    const { rgba, ...size } = decodePng(encodePng(width, height, channels, source));
    expect(size).toEqual({ width, height });
    for (let p = 0; p < width * height; p++) {
      const expected = [
        ...source.subarray(p * channels, p * channels + 3),
        channels === 4 ? (source[p * channels + 3] ?? 0) : 255,
      ];
      expect([...rgba.subarray(p * 4, p * 4 + 4)], `pixel ${p}`).toEqual(expected);
    }
  });

  test("refuses what it cannot read", () => {
    expect(() => decodePng(Buffer.from("GIF89a"))).toThrow("not a PNG file");
    expect(() => decodePng(encodePng(2, 2, 3, new Uint8Array(24), 16))).toThrow("bit depth 16");
  });
});

describe("pixelStats", () => {
  const green = [0x1a, 0x7f, 0x37] as const;

  test("a blank page has one color and no banner", () => {
    const white = new Uint8Array(20 * 10 * 3).fill(255);
    expect(pixelStats(decodePng(encodePng(20, 10, 3, white)), green)).toEqual({ share: 0, distinctColors: 1 });
  });

  test("measures the share of the banner color, within the tolerance", () => {
    const [width, height] = [20, 10];
    const pixels = new Uint8Array(width * height * 3).fill(255);
    // Top 3 rows near-green (off by 5 in red), one stray pixel far off.
    for (let p = 0; p < width * 3; p++) pixels.set([0x1a + 5, 0x7f, 0x37], p * 3);
    pixels.set([0, 0, 0], (width * height - 1) * 3);
    const stats = pixelStats(decodePng(encodePng(width, height, 3, pixels)), green);
    expect(stats.share).toBeCloseTo(0.3, 5);
    expect(stats.distinctColors).toBe(3);
    expect(pixelStats(decodePng(encodePng(width, height, 3, pixels)), green, 4).share).toBe(0);
  });
});
