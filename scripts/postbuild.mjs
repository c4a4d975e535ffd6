// Make the CLI entry executable so `npx codeflash-mcp` and `bin` links work.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);
