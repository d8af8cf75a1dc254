// Errors the CLI reports as one line and exit status 1: bad flags, bad
// input files. Anything else escaping a command is a bug in smtnest.

export class UsageError extends Error {}

export class InputError extends Error {}

/** --help was given: the help is printed, and the command ends with status 0. */
export class HelpShown extends Error {}
