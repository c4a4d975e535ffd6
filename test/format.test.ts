import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatChangeInterval,
  formatChangePct,
  formatCount,
  formatDuration,
  formatMeasured,
  formatPct,
  formatSignedPct,
  significant,
  unitScale,
} from '../src/format.js';

describe('format', () => {
  it('writes percentages with one decimal, two under 1 % and three under 0.1 %', () => {
    expect([12.345, 0.456, 0.0456, 0].map((pct) => formatPct(pct))).toEqual(['12.3', '0.46', '0.046', '0.0']);
    expect(formatPct(12.345, 2)).toBe('12.35');
  });

  it('signs percentages with a plus or a true minus, and none when they show as zero', () => {
    expect([12.34, -12.34, -0.0004, 0].map((pct) => formatSignedPct(pct))).toEqual(['+12.3', '−12.3', '0.000', '0.0']);
    expect([25, -5, 0, null, undefined].map(formatChangePct)).toEqual(['+25.0 %', '−5.0 %', '0.0 %', 'n/a', 'n/a']);
  });

  it('writes a change with its interval to as many decimals as the interval needs', () => {
    expect(formatChangeInterval(-10.01, -11.2, -8.7)).toBe('−10.0 % [−11.2, −8.7]');
    expect(formatChangeInterval(2, 1.99, 2.01)).toBe('+2.000 % [+1.990, +2.010]');
    expect(formatChangeInterval(0.3, -0.5, 1.2)).toBe('+0.30 % [−0.50, +1.20]');
    expect(formatChangeInterval(Number.NaN, 0, 0)).toBe('—');
  });

  it('writes significant digits without exponents, and measured values without float noise', () => {
    expect([1234.5, 12.345, 0.12345, 0].map((value) => significant(value, 4))).toEqual(['1,235', '12.35', '0.1235', '0']);
    expect([176.59596900000003, 2, 1.5, 0.3, 1e-7, 1234567].map(formatMeasured)).toEqual([
      '176.596',
      '2',
      '1.5',
      '0.3',
      '0.0000001',
      '1,234,567',
    ]);
  });

  it('writes the extremes a double can hold in exponent form instead of failing', () => {
    expect([5e-324, 1.7976931348623157e308, -2.5e-30, 1e21].map(formatMeasured)).toEqual(['5e-324', '1.79769e+308', '-2.5e-30', '1e+21']);
  });

  it('writes durations, counts and bytes with their units', () => {
    expect([formatDuration(850), formatDuration(12_345), formatDuration(2.5e6), formatDuration(1.5e9)]).toEqual([
      '850 ns',
      '12.35 µs',
      '2.500 ms',
      '1.500 s',
    ]);
    expect([formatCount(12_345), formatCount(1_234_567), formatCount(4.5e9)]).toEqual(['12,345', '1.235 M', '4.500 G']);
    expect([formatBytes(512), formatBytes(1536), formatBytes(12.5 * 1024 ** 2)]).toEqual(['512 B', '1.500 KiB', '12.50 MiB']);
  });

  it('puts the values of one row in one step of their unit, spreads without it', () => {
    const scale = unitScale('ms', 98.12);
    expect([scale.format(98.12), scale.format(101.3), scale.format(1.234, 2)]).toEqual(['98.12 ms', '101.3 ms', '1.2']);
    expect(unitScale('ops', 5).format(5)).toBe('5 ops');
  });
});
