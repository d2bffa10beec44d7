/**
 * Bad input from a user (a command-line value, a file they chose): the CLI exits 2 with the message, the
 * viewer shows it. Browser-safe, so checks shared by both (e.g. a saved agent's, `agents/saved-agent.ts`) throw it.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A run that failed for a reason the message names in full (a server that does not answer, a learner that
 * diverged): the CLI exits 1 with the message and no hint to print a stack.
 */
export class RunFailure extends Error {
  override readonly name = 'RunFailure';
}
