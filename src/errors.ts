/**
 * A problem the caller can fix: bad input, a wrong state, a missing program.
 * Its message is shown as it is (an `isError` tool result, a CLI error line),
 * so it says what happened and what to do. Any other error is a fault of ours.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** The most of one input an error message quotes: enough to recognize it, never a whole pasted file. */
const QUOTE_CHARS = 200;

/** An input as an error message quotes it: whole when short, else its first 200 characters and a mark that it goes on. */
export function excerpt(text: string, max = QUOTE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
