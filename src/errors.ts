/**
 * A problem the caller can fix: bad input, a wrong state, a missing program.
 * Its message is shown as it is (an `isError` tool result, a CLI error line),
 * so it says what happened and what to do. Any other error is a fault of ours.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}
