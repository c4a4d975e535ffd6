import { PNG } from 'pngjs';

export interface Raster {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row by row. */
  pixels: Uint8Array;
}

/** Decode a PNG (what rsvg-convert writes) with pngjs into RGBA pixels, to look at a rendered chart in a test. */
export function decodePng(png: Buffer): Raster {
  const image = PNG.sync.read(png);
  return { width: image.width, height: image.height, pixels: image.data };
}

/** Pixels within `tolerance` (per channel) of the colour `#rrggbb`. */
export function countColor(raster: Raster, hex: string, tolerance = 12): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (let i = 0; i < raster.pixels.length; i += 4) {
    const p = raster.pixels;
    if (Math.abs(p[i]! - r!) <= tolerance && Math.abs(p[i + 1]! - g!) <= tolerance && Math.abs(p[i + 2]! - b!) <= tolerance) count++;
  }
  return count;
}
