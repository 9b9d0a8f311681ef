/** The shape of a CLI command group (`permafrost <group> <command> ...`). */
import type { ProgressSink } from './progress';

/** Parsed command line: positional arguments and `--flag` / `--key value` options. */
export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: ReadonlySet<string>;
  readonly options: ReadonlyMap<string, string>;
}

/** Where a command writes; tests pass their own sinks. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Where progress bars draw (a terminal redraws in place); without it, progress goes to `out` as plain lines. */
  readonly progress?: ProgressSink;
}

export interface Command {
  /** e.g. `dump <file|dir> [--json]` */
  readonly usage: string;
  readonly summary: string;
  /** Options that take a value (`--rows 10`); every other `--x` is a flag. */
  readonly valueOptions?: readonly string[];
  /** Runs the command; resolves to the process exit code. */
  run(args: ParsedArgs, io: CommandIo): Promise<number>;
}

/** A named group of commands, e.g. `wal` with `dump` and `verify`. */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly commands: Readonly<Record<string, Command>>;
}
