export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

/** Where log records go besides stderr: the connected client's MCP logging, once there is one. */
export type LogSink = (level: LogLevel, data: unknown) => void;

/**
 * Logs go to stderr and, once a client is connected, to MCP logging as well.
 * Never to stdout: on stdio that stream carries JSON-RPC only.
 */
export class Logger {
  private sink: LogSink | undefined;
  constructor(private readonly minLevel: LogLevel = (process.env.CODEFLASH_LOG_LEVEL as LogLevel) ?? 'info') {}

  attach(sink: LogSink): void {
    this.sink = sink;
  }

  log(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.minLevel]) return;
    process.stderr.write(`[codeflash-mcp] ${level}: ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`);
    this.sink?.(level, data ? { message, ...data } : message);
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
