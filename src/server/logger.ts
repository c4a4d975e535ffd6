import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

/**
 * Logs go to stderr and, once a client is connected, to MCP logging as well.
 * Never to stdout: on stdio that stream carries JSON-RPC only.
 */
export class Logger {
  private server: McpServer | undefined;
  constructor(private readonly minLevel: LogLevel = (process.env.CODEFLASH_LOG_LEVEL as LogLevel) ?? 'info') {}

  attach(server: McpServer): void {
    this.server = server;
  }

  log(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.minLevel]) return;
    const line = `[codeflash-mcp] ${level}: ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`;
    process.stderr.write(line);
    if (this.server?.isConnected()) {
      this.server.sendLoggingMessage({ level, logger: 'codeflash-mcp', data: data ? { message, ...data } : message }).catch(() => {});
    }
  }

  debug(message: string, data?: Record<string, unknown>): void {
    this.log('debug', message, data);
  }
  info(message: string, data?: Record<string, unknown>): void {
    this.log('info', message, data);
  }
  warn(message: string, data?: Record<string, unknown>): void {
    this.log('warning', message, data);
  }
  error(message: string, data?: Record<string, unknown>): void {
    this.log('error', message, data);
  }
}
