/**
 * Reads a screenshot's pixels without a dependency: the PNGs Chromium writes are 8-bit RGB or RGBA,
 * not interlaced, which is all this decodes.
 */
import { inflateSync } from "node:zlib";

/** Decoded pixels, 4 bytes (RGBA) each, row by row. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Decodes an 8-bit RGB/RGBA PNG; anything else is a clear error.
 *
 * @example
 * ```ts
 * const { width, height } = decodePng(await readFile("shot.png"));
 * ```
 */
export function decodePng(png: Uint8Array): Pixels {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG file");
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString("latin1", at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colorType, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG: bit depth ${depth}, color type ${colorType}, interlace ${interlace}`);
      }
      channels = colorType === 6 ? 4 : 3;
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (type === "IEND") {
      break;
    }
    at += 12 + length;
  }
  if (!channels) throw new Error("PNG without IHDR");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error(`PNG data too short: ${raw.length} bytes for ${width}x${height}`);
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = new Uint8Array(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    unfilter(filter ?? 0, line, prev, channels);
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = line[x * channels] ?? 0;
      out[o + 1] = line[x * channels + 1] ?? 0;
      out[o + 2] = line[x * channels + 2] ?? 0;
      out[o + 3] = channels === 4 ? (line[x * channels + 3] ?? 0) : 255;
    }
    prev = line;
  }
  return { width, height, rgba: out };
}

function unfilter(filter: number, line: Uint8Array, prev: Uint8Array, bpp: number): void {
  for (let i = 0; i < line.length; i++) {
    const a = i >= bpp ? (line[i - bpp] ?? 0) : 0;
    const b = prev[i] ?? 0;
    const c = i >= bpp ? (prev[i - bpp] ?? 0) : 0;
    const x = line[i] ?? 0;
    switch (filter) {
      case 0:
        break;
      case 1:
        line[i] = (x + a) & 0xff;
        break;
      case 2:
        line[i] = (x + b) & 0xff;
        break;
      case 3:
        line[i] = (x + ((a + b) >> 1)) & 0xff;
        break;
      case 4:
        line[i] = (x + paeth(a, b, c)) & 0xff;
        break;
      default:
        throw new Error(`bad PNG filter type ${filter}`);
    }
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** What a screenshot shows, in numbers a test can check. */
export interface PixelStats {
  /** Share of pixels (0..1) within `tolerance` of the color asked for. */
  readonly share: number;
  /** Distinct colors (a blank page has one or two). */
  readonly distinctColors: number;
}

/**
 * How much of the image is `color` (±tolerance per channel), and how many colors it has in all.
 *
 * @example
 * ```ts
 * pixelStats(decodePng(png), [0x1a, 0x7f, 0x37]).share > 0.02; // the green PASS banner is there
 * ```
 */
export function pixelStats(pixels: Pixels, color: readonly [number, number, number], tolerance = 8): PixelStats {
  const { rgba } = pixels;
  const colors = new Set<number>();
  let matching = 0;
  const total = pixels.width * pixels.height;
  for (let o = 0; o < rgba.length; o += 4) {
    const r = rgba[o] ?? 0;
    const g = rgba[o + 1] ?? 0;
    const b = rgba[o + 2] ?? 0;
    if (colors.size < 100_000) colors.add((r << 16) | (g << 8) | b);
    if (Math.abs(r - color[0]) <= tolerance && Math.abs(g - color[1]) <= tolerance && Math.abs(b - color[2]) <= tolerance)
      matching++;
  }
  return { share: total ? matching / total : 0, distinctColors: colors.size };
}
