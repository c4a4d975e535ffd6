/**
 * A problem the caller can fix (bad input, wrong state). Its message is shown
 * as-is in an `isError` result, so it says what happened and what to do.
 */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}
