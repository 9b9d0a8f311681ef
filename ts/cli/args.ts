import { PermafrostError } from '../errors';
import type { ParsedArgs } from './command';

/** Splits argv into positionals, flags and valued options (`--rows 5` or `--rows=5`). */
export function parseArgs(argv: readonly string[], valueOptions: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (valueOptions.includes(name)) {
      const value = inline ?? argv[index + 1];
      if (value === undefined) throw new PermafrostError('ERR_INVALID_ARGUMENT', `--${name} needs a value`);
      if (inline === undefined) index += 1;
      options.set(name, value);
    } else {
      flags.add(name);
    }
  }
  return { positionals, flags, options };
}
