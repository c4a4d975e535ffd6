import { describe, expect, it } from 'vitest';
import { parseGoBench, splitGoBenchmark } from '../../src/bench/runners/go-bench.js';

const onePackage = `goos: linux
goarch: amd64
pkg: example.com/shop
cpu: Some CPU
BenchmarkTotal-2          	  123456	      9876 ns/op
BenchmarkSize/size-10-2   	 1000000	      12.5 ns/op
BenchmarkSize/size-20-2   	  500000	      25.0 ns/op
PASS
ok  	example.com/shop	3.2s
`;

describe('parseGoBench', () => {
  it('cuts only the GOMAXPROCS suffix Go added, so sub-benchmark names stay apart', () => {
    expect(parseGoBench(onePackage, 2)).toEqual(
      new Map([
        ['BenchmarkTotal', 9876],
        ['BenchmarkSize/size-10', 12.5],
        ['BenchmarkSize/size-20', 25],
      ]),
    );
    const single = onePackage.replace(/-2 /g, ' ');
    expect([...parseGoBench(single, 1).keys()]).toEqual(['BenchmarkTotal', 'BenchmarkSize/size-10', 'BenchmarkSize/size-20']);
  });

  it('names each benchmark by its package when a run spans several with the same names', () => {
    const two = `${onePackage}pkg: example.com/shop/v2\nBenchmarkTotal-2   1000   1.5e+03 ns/op\n`;
    const values = parseGoBench(two, 2);
    expect(values.get('example.com/shop.BenchmarkTotal')).toBe(9876);
    expect(values.get('example.com/shop/v2.BenchmarkTotal')).toBe(1500);
    expect(values.size).toBe(4);
  });
});

describe('splitGoBenchmark', () => {
  it('reads package, pattern or package:pattern', () => {
    expect(splitGoBenchmark(undefined)).toEqual({ pkg: './...', pattern: '.' });
    expect(splitGoBenchmark('./shop')).toEqual({ pkg: './shop', pattern: '.' });
    expect(splitGoBenchmark('Total')).toEqual({ pkg: './...', pattern: 'Total' });
    expect(splitGoBenchmark('./shop:Size/size-10')).toEqual({ pkg: './shop', pattern: 'Size/size-10' });
  });
});
